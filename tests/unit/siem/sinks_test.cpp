#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "siem/siem.h"
#include "support/test_support.h"

namespace wardline::siem {
namespace {

SecurityEvent event(const std::string& subject) {
  auto e = make_event("admin.user_created", "success");
  e.subject = subject;
  return e;
}

TEST(JsonlSink, AppendsAndRotatesBySize) {
  testing::TempDir dir;
  SinkConfig c;
  c.name = "file";
  c.type = "jsonl";
  c.path = dir.path() + "/events.jsonl";
  c.max_bytes = 600;
  c.max_files = 3;
  auto sink = make_sink(c);
  ASSERT_TRUE(sink.ok());
  for (int i = 0; i < 20; ++i) ASSERT_TRUE((*sink)->write(event("user" + std::to_string(i))));
  ASSERT_TRUE((*sink)->flush());
  EXPECT_TRUE(std::filesystem::exists(c.path));
  EXPECT_TRUE(std::filesystem::exists(c.path + ".1"));
  EXPECT_TRUE(std::filesystem::exists(c.path + ".2"));
  EXPECT_FALSE(std::filesystem::exists(c.path + ".3"));
  EXPECT_LE(std::filesystem::file_size(c.path), 600u);
  EXPECT_NE(testing::read_file(c.path).find("\"subject\":\"user19\""), std::string::npos);
}

// A loopback listener that records what arrives.
class Listener {
 public:
  explicit Listener(int type) : type_(type) {
    fd_ = socket(AF_INET, type, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    if (type == SOCK_STREAM) listen(fd_, 4);
    timeval tv{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~Listener() { close(fd_); }
  int port() const { return port_; }

  // Reads from one TCP connection (or UDP datagrams) until `bytes` arrived or timeout.
  std::string receive(size_t bytes) {
    int conn = fd_;
    if (type_ == SOCK_STREAM) {
      conn = accept(fd_, nullptr, nullptr);
      timeval tv{5, 0};
      setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    std::string out;
    char buf[4096];
    while (out.size() < bytes) {
      ssize_t n = recv(conn, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
      if (type_ == SOCK_DGRAM) out.push_back('\n');
    }
    if (conn != fd_) close(conn);
    return out;
  }

 private:
  int type_, fd_, port_;
};

TEST(SyslogSink, TcpUsesOctetCountingFraming) {
  Listener l(SOCK_STREAM);
  SinkConfig c;
  c.name = "tcp";
  c.type = "syslog";
  c.transport = "tcp";
  c.port = l.port();
  auto sink = make_sink(c);
  std::string got;
  std::thread reader([&] { got = l.receive(400); });
  ASSERT_TRUE((*sink)->write(event("first")));
  ASSERT_TRUE((*sink)->write(event("second")));
  reader.join();
  // Parse the frames back: "LEN SP MSG" repeated.
  std::vector<std::string> frames;
  size_t pos = 0;
  while (pos < got.size()) {
    size_t sp = got.find(' ', pos);
    ASSERT_NE(sp, std::string::npos);
    size_t len = std::stoul(got.substr(pos, sp - pos));
    frames.push_back(got.substr(sp + 1, len));
    pos = sp + 1 + len;
  }
  ASSERT_EQ(frames.size(), 2u) << got;
  EXPECT_EQ(frames[0].rfind("<38>1 ", 0), 0u) << frames[0];  // facility 4 (auth) * 8 + severity 6 (info)
  EXPECT_NE(frames[1].find("subject=\"second\""), std::string::npos);
}

TEST(SyslogSink, UdpSendsOneDatagramPerEvent) {
  Listener l(SOCK_DGRAM);
  SinkConfig c;
  c.name = "udp";
  c.type = "syslog";
  c.transport = "udp";
  c.format = "cef";
  c.port = l.port();
  auto sink = make_sink(c);
  ASSERT_TRUE((*sink)->write(event("one")));
  std::string got = l.receive(10);
  EXPECT_NE(got.find("CEF:0|Wardline|Wardline|"), std::string::npos) << got;
  EXPECT_NE(got.find("duser=one"), std::string::npos) << got;
}

TEST(SyslogSink, UnreachableCollectorIsAnErrorNotACrash) {
  SinkConfig c;
  c.name = "dead";
  c.type = "syslog";
  c.transport = "tcp";
  c.port = 1;
  auto sink = make_sink(c);
  Status s = (*sink)->write(event("x"));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("127.0.0.1:1"), std::string::npos) << s.error().message;
}

}  // namespace
}  // namespace wardline::siem
