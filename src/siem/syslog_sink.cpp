#include <arpa/inet.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "siem/sinks.h"

namespace wardline::siem {
namespace {

std::string local_hostname() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0) return "-";
  return buf;
}

std::string openssl_error() {
  unsigned long e = ERR_get_error();
  if (!e) return "TLS handshake failed";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

}  // namespace

SyslogSink::SyslogSink(const SinkConfig& c) : config_(c), hostname_(local_hostname()) {}

SyslogSink::~SyslogSink() {
  disconnect();
  if (ctx_) SSL_CTX_free(ctx_);
}

void SyslogSink::disconnect() {
  if (ssl_) {
    SSL_shutdown(ssl_);
    SSL_free(ssl_);
    ssl_ = nullptr;
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Status SyslogSink::connect() {
  std::string where = config_.host + ":" + std::to_string(config_.port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = config_.transport == "udp" ? SOCK_DGRAM : SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = getaddrinfo(config_.host.c_str(), std::to_string(config_.port).c_str(), &hints, &res); rc != 0)
    return make_error("sink_unavailable", "cannot resolve syslog host '" + config_.host + "': " + gai_strerror(rc));
  std::string last_error = "no address";
  for (addrinfo* a = res; a; a = a->ai_next) {
    fd_ = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd_ < 0) continue;
    timeval tv{5, 0};  // never hang the worker on a stuck collector
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (::connect(fd_, a->ai_addr, a->ai_addrlen) == 0) break;
    last_error = std::strerror(errno);
    ::close(fd_);
    fd_ = -1;
  }
  freeaddrinfo(res);
  if (fd_ < 0) return make_error("sink_unavailable", "cannot connect to syslog collector " + where + ": " + last_error);
  if (config_.transport != "tls") return {};

  if (!ctx_) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    bool loaded = config_.ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx_)
                                          : SSL_CTX_load_verify_locations(ctx_, config_.ca_file.c_str(), nullptr);
    if (!loaded) {
      SSL_CTX_free(ctx_);
      ctx_ = nullptr;
      disconnect();
      return make_error("sink_unavailable", "cannot load CA file '" + config_.ca_file + "' for syslog TLS");
    }
  }
  ssl_ = SSL_new(ctx_);
  SSL_set_fd(ssl_, fd_);
  SSL_set_tlsext_host_name(ssl_, config_.host.c_str());
  // Verify the collector's name (or address) against its certificate.
  in6_addr ip6{};
  in_addr ip4{};
  bool is_ip = inet_pton(AF_INET, config_.host.c_str(), &ip4) == 1 || inet_pton(AF_INET6, config_.host.c_str(), &ip6) == 1;
  if (is_ip) X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), config_.host.c_str());
  else SSL_set1_host(ssl_, config_.host.c_str());
  if (SSL_connect(ssl_) != 1) {
    std::string err = openssl_error();
    disconnect();
    return make_error("sink_unavailable", "TLS handshake with syslog collector " + where + " failed: " + err);
  }
  return {};
}

Status SyslogSink::send_all(const std::string& bytes) {
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ssl_ ? SSL_write(ssl_, bytes.data() + off, static_cast<int>(bytes.size() - off))
                     : ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) {
      if (!ssl_ && errno == EMSGSIZE)
        return make_error("event_rejected", "event of " + std::to_string(bytes.size()) + " bytes is too large for a UDP datagram");
      std::string err = ssl_ ? openssl_error() : std::strerror(errno);
      disconnect();
      return make_error("sink_unavailable", "syslog collector " + config_.host + ":" +
                                                std::to_string(config_.port) + " write failed: " + err);
    }
    off += static_cast<size_t>(n);
  }
  return {};
}

Status SyslogSink::write(const SecurityEvent& e) {
  // A stream the collector has closed still accepts one send into the kernel
  // buffer, and that event would be lost: look for the EOF first.
  char probe;
  if (fd_ >= 0 && config_.transport != "udp" && ::recv(fd_, &probe, 1, MSG_PEEK | MSG_DONTWAIT) == 0)
    disconnect();
  if (fd_ < 0)
    if (Status s = connect(); !s) return s;
  std::string msg = to_rfc5424(e, hostname_, config_.app_name, config_.format == "cef");
  if (config_.transport == "udp") return send_all(msg);
  return send_all(std::to_string(msg.size()) + " " + msg);  // RFC 6587 octet counting
}

}  // namespace wardline::siem
