#include "api/syslog_intake.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/config.h"
#include "ehr/ehr.h"

namespace wardline::api {
namespace {

constexpr size_t kMaxConnections = 64;
constexpr size_t kBatchMessages = 1000;
constexpr int kFlushSeconds = 1;

}  // namespace

SyslogIntake::SyslogIntake(Services& s, SSL_CTX* tls) : s_(s), tls_(tls) {}

SyslogIntake::~SyslogIntake() { stop(); }

Result<int> SyslogIntake::bind(const std::string& listen) {
  auto hp = parse_host_port(listen);
  if (!hp) return hp.error();
  addrinfo hints{}, *res = nullptr;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  if (getaddrinfo(hp->host.c_str(), std::to_string(hp->port).c_str(), &hints, &res) != 0 || !res)
    return make_error("listen_failed", "cannot resolve the syslog listen address '" + listen + "'");
  int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  bool ok = fd >= 0 && ::bind(fd, res->ai_addr, res->ai_addrlen) == 0 && ::listen(fd, 64) == 0;
  freeaddrinfo(res);
  if (!ok) {
    if (fd >= 0) ::close(fd);
    return make_error("listen_failed", "cannot listen for syslog on " + listen + ": " + std::strerror(errno) +
                                           "; choose another address with intel.syslog_listen");
  }
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  listen_fd_ = fd;
  return addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                                    : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
}

void SyslogIntake::start() {
  if (listen_fd_ >= 0) acceptor_ = std::thread([this] { accept_loop(); });
}

void SyslogIntake::stop() {
  if (stopping_.exchange(true)) return;
  if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);  // wakes the acceptor's poll
  if (acceptor_.joinable()) acceptor_.join();
  {
    std::lock_guard lock(mu_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  for (auto& c : connections_)
    if (c.thread.joinable()) c.thread.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
}

void SyslogIntake::accept_loop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_CLOEXEC);
    if (fd < 0) continue;
    char host[INET6_ADDRSTRLEN] = "?";
    if (addr.ss_family == AF_INET6) inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&addr)->sin6_addr, host, sizeof host);
    else inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&addr)->sin_addr, host, sizeof host);
    reap_finished();
    std::lock_guard lock(mu_);
    if (open_fds_.size() >= kMaxConnections) {
      spdlog::warn("syslog: refusing a connection from {}: {} connections already open", host, kMaxConnections);
      ::close(fd);
      continue;
    }
    open_fds_.insert(fd);
    auto done = std::make_shared<std::atomic<bool>>(false);
    connections_.push_back({std::thread([this, fd, done, peer = std::string(host)] {
                              serve_connection(fd, peer);
                              *done = true;
                            }),
                            done});
  }
}

namespace {
// An XML payload (after an optional byte-order mark): an ATNA audit message, not a log line.
bool is_audit_message(std::string_view msg) {
  if (msg.substr(0, 3) == "\xEF\xBB\xBF") msg.remove_prefix(3);
  size_t start = msg.find_first_not_of(" \t\r\n");
  return start != std::string_view::npos && msg[start] == '<';
}
}  // namespace

void SyslogIntake::reap_finished() {
  for (auto it = connections_.begin(); it != connections_.end();) {
    if (*it->done) {
      it->thread.join();
      it = connections_.erase(it);
    } else {
      ++it;
    }
  }
}

// Reads frames, strips the syslog header, and hands batches of messages to
// the matcher: every kBatchMessages messages, or after kFlushSeconds of quiet.
void SyslogIntake::serve_connection(int fd, std::string peer) {
  timeval tv{kFlushSeconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(nullptr, SSL_free);
  bool ok = true;
  if (tls_) {
    ssl.reset(SSL_new(tls_));
    SSL_set_fd(ssl.get(), fd);
    if (SSL_accept(ssl.get()) != 1) {
      spdlog::warn("syslog: TLS handshake with {} failed", peer);
      ok = false;
    }
  }
  std::optional<intel::LogFormat> format;
  if (!s_.config.intel.syslog_format.empty()) format = intel::parse_log_format(s_.config.intel.syslog_format);
  const std::string source = "syslog:" + peer;
  intel::SyslogFramer framer;
  std::string batch, message, atna;
  size_t messages = 0, malformed_frames = 0, atna_messages = 0;
  bool warned_no_ehr = false;
  auto flush = [&] {
    if (messages == 0) return;
    auto outcome = ingest_logs(s_, batch, format, source, [&](const intel::Alert& a) {
      auto e = siem::make_event("intel.hit", "success");
      e.actor = source;
      e.subject = a.indicator;
      e.source_ip = peer;
      describe_intel_hit(e, a);
      return record(s_, e);
    });
    if (!outcome) spdlog::warn("syslog: {} messages from {} not matched: {}", messages, peer, outcome.error().message);
    batch.clear();
    messages = 0;
  };
  // IHE ATNA audit messages (XML) from an EHR or PACS go to the access analytics.
  auto flush_atna = [&] {
    if (atna_messages == 0) return;
    if (!s_.ehr || !s_.ehr_key) {
      if (!warned_no_ehr) spdlog::warn("syslog: ATNA audit messages from {} dropped: EHR access analytics is not running", peer);
      warned_no_ehr = true;
    } else {
      ehr::AlertBook book(s_.store);
      auto out = ehr::ingest(atna, ehr::Format::atna, *s_.ehr_key, *s_.ehr, book, s_.audit, source);
      if (!out) spdlog::warn("syslog: {} ATNA messages from {} not scored: {}", atna_messages, peer, out.error().message);
      else if (!out->problems.empty())
        spdlog::warn("syslog: {} of {} ATNA messages from {} unreadable, first: {}", out->stats.problems, atna_messages, peer,
                     out->problems.front().message);
    }
    atna.clear();
    atna_messages = 0;
  };
  char buf[16384];
  while (ok && !stopping_) {
    int n = ssl ? SSL_read(ssl.get(), buf, sizeof buf) : static_cast<int>(::recv(fd, buf, sizeof buf, 0));
    if (n <= 0) {
      bool timeout = ssl ? (SSL_get_error(ssl.get(), n) == SSL_ERROR_WANT_READ || (errno == EAGAIN || errno == EWOULDBLOCK))
                         : (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR));
      if (timeout) {
        flush();
        flush_atna();
        continue;
      }
      break;  // closed
    }
    framer.feed({buf, static_cast<size_t>(n)});
    for (;;) {
      auto next = framer.next(message);
      if (next == intel::SyslogFramer::Next::need_more) break;
      if (next == intel::SyslogFramer::Next::malformed) {
        if (malformed_frames++ < 3) spdlog::warn("syslog: a frame from {} dropped: {}", peer, framer.error());
        continue;
      }
      intel::SyslogMessage m = intel::parse_syslog(message);
      if (is_audit_message(m.msg)) {
        atna.append(m.msg).append("\n");
        if (++atna_messages >= kBatchMessages) flush_atna();
        continue;
      }
      batch.append(m.msg).append("\n");
      if (++messages >= kBatchMessages) flush();
    }
  }
  flush();
  flush_atna();
  if (ssl) SSL_shutdown(ssl.get());
  {
    std::lock_guard lock(mu_);
    open_fds_.erase(fd);
  }
  ::close(fd);
}

}  // namespace wardline::api
