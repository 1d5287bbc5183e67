// Internal: the sink implementations registered by make_sink().
#pragma once

#include <cstdio>

#include "siem/siem.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace wardline::siem {

class JsonlSink : public Sink {
 public:
  explicit JsonlSink(const SinkConfig& c);
  ~JsonlSink() override;
  std::string name() const override { return config_.name; }
  Status write(const SecurityEvent& e) override;
  Status flush() override;

 private:
  Status open();
  Status rotate();
  void close();
  SinkConfig config_;
  std::FILE* file_ = nullptr;
  uint64_t size_ = 0;
};

// RFC 5424 over UDP (one datagram per message), TCP, or TLS (RFC 5425, with
// octet-counting framing per RFC 6587 on both stream transports).
class SyslogSink : public Sink {
 public:
  explicit SyslogSink(const SinkConfig& c);
  ~SyslogSink() override;
  std::string name() const override { return config_.name; }
  Status write(const SecurityEvent& e) override;

 private:
  Status connect();
  void disconnect();
  Status send_all(const std::string& bytes);
  SinkConfig config_;
  std::string hostname_;
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
};

}  // namespace wardline::siem
