// Internal: log sources that send syslog (firewalls, proxies, EHR gateways)
// reach the threat-intel matcher through a TLS listener (RFC 5425; plain TCP
// per RFC 6587 only with --insecure-http, for test benches).
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api/router.h"

namespace wardline::api {

class SyslogIntake {
 public:
  // `tls` (owned by the caller, may be null for plain TCP) must outlive the intake.
  SyslogIntake(Services& s, SSL_CTX* tls);
  ~SyslogIntake();

  Result<int> bind(const std::string& listen);  // the port
  void start();
  void stop();  // closes every connection; in-flight batches finish

 private:
  void accept_loop();
  void serve_connection(int fd, std::string peer);

  Services& s_;
  SSL_CTX* tls_;
  int listen_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::set<int> open_fds_;
  // One thread per connection; finished ones are joined at the next accept,
  // so a long-running daemon does not pile up dead thread handles.
  struct Connection {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<Connection> connections_;
  void reap_finished();
};

}  // namespace wardline::api
