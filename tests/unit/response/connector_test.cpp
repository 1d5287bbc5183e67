#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/crypto.h"
#include "core/time.h"
#include "response/response.h"
#include "support/test_support.h"

namespace wardline::response {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kClientId = "wardline-app";
constexpr const char* kGraphSecret = "Xy8Q~graph.client_secret-value";
constexpr const char* kJamfSecret = "jamf-api-client-secret-0042";
constexpr const char* kHookSecret = "hook-signing-key-with-32-bytes!!";
constexpr const char* kIntuneDevice = "6f1d2c3b-8a9e-4b7c-a1d2-e3f405162738";
constexpr const char* kJamfDevice = "7";

enum class Fault {
  busy_503,                    // 503 with Retry-After: 7, nothing done
  busy_for_an_hour_503,        // 503 with Retry-After: 3600
  throttled_429,               // 429 without Retry-After
  error_500_before_executing,  // 500, nothing done
  error_500_after_executing,   // carried out, then 500
  slow_after_executing,        // carried out, the answer comes after the client's read timeout
  token_revoked_401,           // every token revoked, 401
  bad_request_400,             // the MDM's own refusal
};

// A token endpoint, Microsoft Graph, Jamf Pro and a webhook receiver on one
// local HTTPS server. It checks each request's shape and authentication
// (a wrong shape is answered 400 and listed in problems()), counts what it
// carried out, and fails on purpose when told to.
class FakeMdm {
 public:
  struct Executed {
    std::string action, device;
    bool operator==(const Executed&) const = default;
  };

  explicit FakeMdm(const std::string& dir) : cert_(dir + "/mdm-cert.pem"), key_(dir + "/mdm-key.pem") {
    std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=127.0.0.1 "
                      "-addext subjectAltName=IP:127.0.0.1 -keyout " + key_ + " -out " + cert_ + " >/dev/null 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0);
    server_ = std::make_unique<httplib::SSLServer>(cert_.c_str(), key_.c_str());
    server_->Post("/tenant/oauth2/v2.0/token", [this](const httplib::Request& req, httplib::Response& res) {
      token(req, res, kGraphSecret, "https://graph.microsoft.com/.default");
    });
    server_->Post("/jamf/api/oauth/token", [this](const httplib::Request& req, httplib::Response& res) { token(req, res, kJamfSecret, ""); });
    server_->Post(R"(/graph/deviceManagement/managedDevices/([^/]+)/(remoteLock|retire|wipe))",
                  [this](const httplib::Request& req, httplib::Response& res) { graph_command(req, res); });
    server_->Get(R"(/graph/deviceManagement/managedDevices/([^/]+))",
                 [this](const httplib::Request& req, httplib::Response& res) { graph_device(req, res); });
    server_->Post(R"(/jamf/JSSResource/mobiledevicecommands/command/(DeviceLock|EraseDevice|UnmanageDevice)/id/(\d+))",
                  [this](const httplib::Request& req, httplib::Response& res) { jamf_command(req, res); });
    server_->Post("/hook", [this](const httplib::Request& req, httplib::Response& res) { hook(req, res); });
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running()) std::this_thread::sleep_for(1ms);
  }
  ~FakeMdm() {
    server_->stop();
    thread_.join();
  }

  std::string base() const { return "https://127.0.0.1:" + std::to_string(port_); }
  const std::string& cert() const { return cert_; }

  // The next command requests meet these, one each, in order.
  void fail_next(std::vector<Fault> faults) {
    std::lock_guard lock(mu_);
    faults_.insert(faults_.end(), faults.begin(), faults.end());
  }
  void fail_probes() {
    std::lock_guard lock(mu_);
    probes_fail_ = true;
  }
  void set_token_lifetime(int seconds) {
    std::lock_guard lock(mu_);
    token_lifetime_ = seconds;
  }
  void add_past_action(const std::string& device, const std::string& action, const std::string& started) {
    std::lock_guard lock(mu_);
    actions_[device].push_back({{"actionName", action}, {"actionState", "done"}, {"startDateTime", started}, {"lastUpdatedDateTime", started}});
  }

  std::vector<Executed> executed() { return locked(executed_); }
  std::vector<std::string> request_ids() { return locked(request_ids_); }
  std::vector<std::string> hook_bodies() { return locked(hook_bodies_); }
  std::vector<int64_t> hook_timestamps() { return locked(hook_timestamps_); }
  std::vector<std::string> problems() { return locked(problems_); }
  int token_requests() { return locked(token_requests_); }
  int probes() { return locked(probes_); }

 private:
  template <class T>
  T locked(const T& v) {
    std::lock_guard lock(mu_);
    return v;
  }

  void wrong(httplib::Response& res, const std::string& what) {
    problems_.push_back(what);
    res.status = 400;
    res.set_content(json{{"error", {{"code", "WrongRequestShape"}, {"message", what}}}}.dump(), "application/json");
  }

  bool authorized(const httplib::Request& req) {
    std::string h = req.get_header_value("Authorization");
    return h.starts_with("Bearer ") && tokens_.count(h.substr(7));
  }

  std::optional<Fault> next_fault() {
    if (faults_.empty()) return std::nullopt;
    Fault f = faults_.front();
    faults_.pop_front();
    return f;
  }

  // Answers a fault that comes before anything is carried out; true if it did.
  bool fail_before(std::optional<Fault> fault, httplib::Response& res, const std::string& error_400, const std::string& type_400) {
    if (fault == Fault::busy_503 || fault == Fault::busy_for_an_hour_503) {
      res.status = 503;
      res.set_header("Retry-After", fault == Fault::busy_503 ? "7" : "3600");
      res.set_content(json{{"error", {{"code", "ServiceUnavailable"}, {"message", "Service is temporarily unavailable"}}}}.dump(),
                      "application/json");
    } else if (fault == Fault::throttled_429) {
      res.status = 429;
      res.set_content(json{{"error", {{"code", "TooManyRequests"}, {"message", "Too many requests"}}}}.dump(), "application/json");
    } else if (fault == Fault::error_500_before_executing) {
      res.status = 500;
    } else if (fault == Fault::token_revoked_401) {
      tokens_.clear();
      res.status = 401;
    } else if (fault == Fault::bad_request_400) {
      res.status = 400;
      res.set_content(error_400, type_400);
    } else {
      return false;
    }
    return true;
  }

  // RFC 6749 section 4.4 client credentials, form-encoded.
  void token(const httplib::Request& req, httplib::Response& res, const std::string& secret, const std::string& scope) {
    std::lock_guard lock(mu_);
    ++token_requests_;
    if (!req.get_header_value("Content-Type").starts_with("application/x-www-form-urlencoded"))
      return wrong(res, "token request Content-Type " + req.get_header_value("Content-Type"));
    if (req.get_param_value("grant_type") != "client_credentials") return wrong(res, "grant_type " + req.get_param_value("grant_type"));
    if (req.get_param_value("client_id") != kClientId) return wrong(res, "client_id " + req.get_param_value("client_id"));
    if (req.get_param_value("scope") != scope) return wrong(res, "scope '" + req.get_param_value("scope") + "'");
    if (req.get_param_value("client_secret") != secret) {
      res.status = 401;
      res.set_content(json{{"error", "invalid_client"},
                           {"error_description", "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request "
                                                 "is the client secret value, not the client secret ID."}}
                          .dump(),
                      "application/json");
      return;
    }
    std::string t = "tok-" + std::to_string(++issued_);
    tokens_.insert(t);
    res.set_content(json{{"token_type", "Bearer"}, {"expires_in", token_lifetime_}, {"access_token", t}}.dump(), "application/json");
  }

  void graph_command(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu_);
    std::string device = req.matches[1], action = req.matches[2], id = req.get_header_value("client-request-id");
    request_ids_.push_back(id);
    static const std::regex guid("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    if (!std::regex_match(id, guid)) return wrong(res, "client-request-id '" + id + "' is not a GUID");
    if (action == "wipe" && (req.get_header_value("Content-Type") != "application/json" ||
                             json::parse(req.body, nullptr, false) != json{{"keepEnrollmentData", false}, {"keepUserData", false}}))
      return wrong(res, "wipe body " + req.body);
    if (action != "wipe" && !req.body.empty()) return wrong(res, action + " has a body");
    if (!authorized(req)) {
      res.status = 401;
      res.set_content(json{{"error", {{"code", "InvalidAuthenticationToken"}, {"message", "Access token has expired or is not yet valid."}}}}.dump(),
                      "application/json");
      return;
    }
    auto fault = next_fault();
    if (fail_before(fault, res,
                    json{{"error", {{"code", "BadRequest"}, {"message", "Retire is not supported for this device: it is not enrolled"}}}}.dump(),
                    "application/json"))
      return;
    executed_.push_back({action, device});
    std::string now = now_rfc3339();
    actions_[device].push_back({{"actionName", action}, {"actionState", "pending"}, {"startDateTime", now}, {"lastUpdatedDateTime", now}});
    if (fault == Fault::error_500_after_executing) {
      res.status = 500;
      res.set_content(json{{"error", {{"code", "InternalServerError"}, {"message", "An internal server error has occurred"}}}}.dump(),
                      "application/json");
      return;
    }
    res.status = 204;
  }

  void graph_device(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu_);
    ++probes_;
    if (req.get_param_value("$select") != "deviceActionResults") return wrong(res, "probe without $select=deviceActionResults");
    if (!authorized(req)) {
      res.status = 401;
      return;
    }
    if (probes_fail_) {
      res.status = 503;
      return;
    }
    std::string device = req.matches[1];
    json list = actions_.count(device) ? json(actions_[device]) : json::array();
    res.set_content(json{{"id", device}, {"deviceActionResults", list}}.dump(), "application/json");
  }

  void jamf_command(const httplib::Request& req, httplib::Response& res) {
    std::unique_lock lock(mu_);
    std::string command = req.matches[1], device = req.matches[2];
    if (req.get_header_value("Accept") != "application/xml") return wrong(res, "Jamf Accept " + req.get_header_value("Accept"));
    if (!authorized(req)) {
      res.status = 401;
      res.set_content("<html><body><p>Unauthorized</p><p>The request requires user authentication</p></body></html>", "text/html");
      return;
    }
    auto fault = next_fault();
    if (fail_before(fault, res,
                    "<html>\n<head>\n   <title>Status page</title>\n</head>\n<body style=\"font-family: sans-serif;\">\n"
                    "<p style=\"font-size: 1.2em;font-weight: bold;margin: 1em 0px;\">Bad Request</p>\n"
                    "<p style=\"font-size: 1.2em;font-weight: bold;margin: 1em 0px;\">Unable to match mobile device 7</p>\n</body>\n</html>\n",
                    "text/html"))
      return;
    executed_.push_back({command, device});
    if (fault == Fault::error_500_after_executing) {
      res.status = 500;
      return;
    }
    if (fault == Fault::slow_after_executing) {
      lock.unlock();
      std::this_thread::sleep_for(2s);  // past the client's 1 s read timeout
    }
    res.status = 201;
    res.set_content("<?xml version=\"1.0\" encoding=\"UTF-8\"?><mobile_device_command><command>" + command +
                        "</command><mobile_devices><mobile_device><id>" + device + "</id></mobile_device></mobile_devices></mobile_device_command>",
                    "application/xml");
  }

  // De-duplicates on Idempotency-Key, as the webhook contract asks of receivers.
  void hook(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu_);
    std::string key = req.get_header_value("Idempotency-Key"), timestamp = req.get_header_value("X-Wardline-Timestamp");
    std::string expected = "sha256=" + crypto::hex_encode(crypto::hmac_sha256(kHookSecret, timestamp + "." + req.body));
    if (req.get_header_value("X-Wardline-Signature") != expected) return wrong(res, "bad webhook signature");
    if (req.get_header_value("Content-Type") != "application/json") return wrong(res, "webhook Content-Type");
    auto body = json::parse(req.body, nullptr, false);
    if (key.empty() || !body.is_object() || body.value("id", "") != key) return wrong(res, "webhook id and Idempotency-Key differ");
    hook_bodies_.push_back(req.body);
    hook_timestamps_.push_back(std::stoll(timestamp));
    auto fault = next_fault();
    if (fail_before(fault, res, json{{"message", "device dev-9 is not enrolled in the MDM"}}.dump(), "application/json")) return;
    if (seen_keys_.insert(key).second) executed_.push_back({body.value("action", ""), body.value("device", "")});
    if (fault == Fault::error_500_after_executing) {
      res.status = 500;
      res.set_content("upstream MDM did not answer", "text/plain");
      return;
    }
    res.status = 202;
  }

  std::string cert_, key_;
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::deque<Fault> faults_;
  bool probes_fail_ = false;
  std::set<std::string> tokens_, seen_keys_;
  int issued_ = 0, token_requests_ = 0, probes_ = 0, token_lifetime_ = 3599;
  std::map<std::string, std::vector<json>> actions_;  // Graph's deviceActionResults per device
  std::vector<Executed> executed_;
  std::vector<std::string> request_ids_, hook_bodies_, problems_;
  std::vector<int64_t> hook_timestamps_;
};

// A port nothing listens on.
int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), len), 0);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
  ::close(fd);
  return ntohs(a.sin_port);
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class MdmTest : public ::testing::Test {
 protected:
  std::string secret(const std::string& name, const std::string& value) {
    std::string path = dir.path() + "/" + name;
    std::ofstream(path) << value << "\n";
    return path;
  }
  MdmConnectorConfig base(const std::string& type, const std::string& url) {
    MdmConnectorConfig c;
    c.name = type;
    c.type = type;
    c.base_url = url;
    c.ca_file = mdm.cert();
    c.timeout_seconds = 5;
    c.max_attempts = 3;
    c.backoff = 100ms;
    return c;
  }
  MdmConnectorConfig intune() {
    MdmConnectorConfig c = base("intune", mdm.base() + "/graph");
    c.token_url = mdm.base() + "/tenant/oauth2/v2.0/token";
    c.client_id = kClientId;
    c.client_secret_file = secret("graph.secret", kGraphSecret);
    return c;
  }
  MdmConnectorConfig jamf() {
    MdmConnectorConfig c = base("jamf", mdm.base() + "/jamf/");  // token_url: the default, BASE/api/oauth/token
    c.client_id = kClientId;
    c.client_secret_file = secret("jamf.secret", kJamfSecret);
    return c;
  }
  MdmConnectorConfig webhook() {
    MdmConnectorConfig c = base("webhook", mdm.base() + "/hook");
    c.secret_file = secret("hook.key", kHookSecret);
    return c;
  }
  std::unique_ptr<Connector> make(const MdmConnectorConfig& c) {
    auto made = make_connector(c, [this](std::chrono::milliseconds d) { delays.push_back(d); });
    EXPECT_TRUE(made) << made.error().message;
    return made ? std::move(*made) : nullptr;
  }
  static Command command(ActionKind kind, const std::string& device, const std::string& key) {
    return {key, kind, device, "ios", "phone lost on ward 4B", "alice", kind == ActionKind::full_wipe ? "bob" : "", false};
  }

  wardline::testing::TempDir dir;
  FakeMdm mdm{dir.path()};
  std::vector<std::chrono::milliseconds> delays;  // what the connector waited, without waiting
};

class IntuneConnectorTest : public MdmTest {};
class JamfConnectorTest : public MdmTest {};
class WebhookConnectorTest : public MdmTest {};
class ConnectorTest : public MdmTest {};

TEST_F(IntuneConnectorTest, SendsRemoteLockRetireAndWipeWithOneCachedToken) {
  auto c = make(intune());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name(), "intune");
  int n = 0;
  for (ActionKind kind : {ActionKind::lock, ActionKind::selective_wipe, ActionKind::full_wipe}) {
    DispatchResult r = c->send(command(kind, kIntuneDevice, "act_" + std::to_string(++n)));
    EXPECT_EQ(r.delivery, Delivery::accepted) << r.detail;
    EXPECT_EQ(r.attempts, 1);
    EXPECT_EQ(r.http_status, 204);
  }
  EXPECT_EQ(mdm.executed(), (std::vector<FakeMdm::Executed>{{"remoteLock", kIntuneDevice}, {"retire", kIntuneDevice}, {"wipe", kIntuneDevice}}));
  EXPECT_EQ(mdm.token_requests(), 1);  // cached across commands
  auto ids = mdm.request_ids();
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_NE(ids[0], ids[1]);  // one client-request-id per action
  EXPECT_TRUE(mdm.problems().empty()) << mdm.problems()[0];
  EXPECT_TRUE(delays.empty());
}

TEST_F(IntuneConnectorTest, TokenAboutToExpireIsNotReused) {
  mdm.set_token_lifetime(45);  // under the 60 s margin
  auto c = make(intune());
  EXPECT_EQ(c->send(command(ActionKind::lock, kIntuneDevice, "act_1")).delivery, Delivery::accepted);
  EXPECT_EQ(c->send(command(ActionKind::lock, kIntuneDevice, "act_2")).delivery, Delivery::accepted);
  EXPECT_EQ(mdm.token_requests(), 2);
}

TEST_F(IntuneConnectorTest, WrongClientSecretFailsAtOnceWithoutShowingIt) {
  MdmConnectorConfig cfg = intune();
  cfg.client_secret_file = secret("old.secret", "an-expired-client-secret-value");
  DispatchResult r = make(cfg)->send(command(ActionKind::full_wipe, kIntuneDevice, "act_1"));
  EXPECT_EQ(r.delivery, Delivery::failed);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.http_status, 401);
  EXPECT_TRUE(contains(r.detail, "invalid_client: AADSTS7000215")) << r.detail;
  EXPECT_TRUE(contains(r.detail, cfg.client_secret_file)) << r.detail;  // where to fix it
  EXPECT_FALSE(contains(r.detail, "an-expired-client-secret-value")) << r.detail;
  EXPECT_TRUE(mdm.executed().empty());
  EXPECT_TRUE(delays.empty());
}

TEST_F(IntuneConnectorTest, Retries503AfterItsRetryAfterWithTheSameRequestId) {
  mdm.fail_next({Fault::busy_503});
  DispatchResult r = make(intune())->send(command(ActionKind::lock, kIntuneDevice, "act_1"));
  EXPECT_EQ(r.delivery, Delivery::accepted) << r.detail;
  EXPECT_EQ(r.attempts, 2);
  EXPECT_TRUE(contains(r.detail, "on attempt 2")) << r.detail;
  EXPECT_EQ(delays, (std::vector<std::chrono::milliseconds>{7s}));  // Retry-After wins over the backoff
  auto ids = mdm.request_ids();
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0], ids[1]);
  EXPECT_EQ(mdm.executed().size(), 1u);
}

TEST_F(IntuneConnectorTest, BacksOffDoublingAndCapsRetryAfterAtAMinute) {
  MdmConnectorConfig cfg = intune();
  cfg.max_attempts = 4;
  mdm.fail_next({Fault::throttled_429, Fault::throttled_429, Fault::busy_for_an_hour_503});
  DispatchResult r = make(cfg)->send(command(ActionKind::lock, kIntuneDevice, "act_1"));
  EXPECT_EQ(r.delivery, Delivery::accepted) << r.detail;
  EXPECT_EQ(r.attempts, 4);
  EXPECT_EQ(delays, (std::vector<std::chrono::milliseconds>{100ms, 200ms, 60s}));
}

TEST_F(IntuneConnectorTest, GivesUpWhenGraphStaysBusy) {
  mdm.fail_next({Fault::throttled_429, Fault::throttled_429, Fault::throttled_429});
  DispatchResult r = make(intune())->send(command(ActionKind::lock, kIntuneDevice, "act_1"));
  EXPECT_EQ(r.delivery, Delivery::failed);
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(r.http_status, 429);
  EXPECT_TRUE(contains(r.detail, "gave up after 3 attempts")) << r.detail;
  EXPECT_TRUE(mdm.executed().empty());
}

TEST_F(IntuneConnectorTest, Ambiguous500AfterWipingIsFoundByTheProbeAndNotSentAgain) {
  mdm.fail_next({Fault::error_500_after_executing});
  DispatchResult r = make(intune())->send(command(ActionKind::full_wipe, kIntuneDevice, "act_1"));
  EXPECT_EQ(r.delivery, Delivery::accepted) << r.detail;
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.http_status, 500);
  EXPECT_TRUE(contains(r.detail, "not sent again")) << r.detail;
  EXPECT_EQ(mdm.executed(), (std::vector<FakeMdm::Executed>{{"wipe", kIntuneDevice}}));  // wiped exactly once
  EXPECT_EQ(mdm.probes(), 1);
  EXPECT_TRUE(mdm.problems().empty());
}

TEST_F(IntuneConnectorTest, Ambiguous500WithNothingDoneIsSentAgainAfterTheProbe) {
  mdm.add_past_action(kIntuneDevice, "wipe", "2020-03-01T10:00:00.1234567Z");  // an old wipe does not count
  mdm.fail_next({Fault::error_500_before_executing});
  DispatchResult r = make(intune())->send(command(ActionKind::full_wipe, kIntuneDevice, "act_1"));
  EXPECT_EQ(r.delivery, Delivery::accepted) << r.detail;
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(mdm.probes(), 1);
  EXPECT_EQ(mdm.executed().size(), 1u);
  auto ids = mdm.request_ids();
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0], ids[1]);
}

TEST_F(IntuneConnectorTest, FailedProbeLeavesTheCommandUnknown) {
  mdm.fail_next({Fault::error_500_before_executing});
  mdm.fail_probes();
  DispatchResult r = make(intune())->send(command(ActionKind::full_wipe, kIntuneDevice, "act_1"));
  EXPECT_EQ(r.delivery, Delivery::unknown) << r.detail;
  EXPECT_EQ(r.attempts, 1);
  EXPECT_TRUE(contains(r.detail, "Intune admin center")) << r.detail;
  EXPECT_TRUE(mdm.executed().empty());  // not sent again blindly
}

TEST_F(IntuneConnectorTest, RenewsTheTokenOnceAfter401) {
  auto c = make(intune());
  ASSERT_EQ(c->send(command(ActionKind::lock, kIntuneDevice, "act_1")).delivery, Delivery::accepted);
  mdm.fail_next({Fault::token_revoked_401});
  DispatchResult r = c->send(command(ActionKind::selective_wipe, kIntuneDevice, "act_2"));
  EXPECT_EQ(r.delivery, Delivery::accepted) << r.detail;
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(mdm.token_requests(), 2);
  EXPECT_EQ(mdm.executed().size(), 2u);
}

TEST_F(IntuneConnectorTest, Graph400FailsAtOnceWithGraphsMessage) {
  mdm.fail_next({Fault::bad_request_400});
  DispatchResult r = make(intune())->send(command(ActionKind::selective_wipe, kIntuneDevice, "act_1"));
  EXPECT_EQ(r.delivery, Delivery::failed);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.http_status, 400);
  EXPECT_TRUE(contains(r.detail, "BadRequest: Retire is not supported for this device: it is not enrolled")) << r.detail;
  EXPECT_TRUE(delays.empty());
}

TEST_F(IntuneConnectorTest, RefusesADeviceIdThatIsNotAnId) {
  DispatchResult r = make(intune())->send(command(ActionKind::full_wipe, "../../users", "act_1"));
  EXPECT_EQ(r.delivery, Delivery::failed);
  EXPECT_EQ(r.attempts, 0);
  EXPECT_EQ(mdm.token_requests(), 0);
}

TEST_F(JamfConnectorTest, SendsDeviceLockUnmanageDeviceAndEraseDevice) {
  auto c = make(jamf());
  ASSERT_TRUE(c);
  int n = 0;
  for (ActionKind kind : {ActionKind::lock, ActionKind::selective_wipe, ActionKind::full_wipe}) {
    DispatchResult r = c->send(command(kind, kJamfDevice, "act_" + std::to_string(++n)));
    EXPECT_EQ(r.delivery, Delivery::accepted) << r.detail;
    EXPECT_EQ(r.http_status, 201);
  }
  EXPECT_EQ(mdm.executed(),
            (std::vector<FakeMdm::Executed>{{"DeviceLock", kJamfDevice}, {"UnmanageDevice", kJamfDevice}, {"EraseDevice", kJamfDevice}}));
  EXPECT_EQ(mdm.token_requests(), 1);  // from BASE/api/oauth/token
  EXPECT_TRUE(mdm.problems().empty()) << mdm.problems()[0];
}

TEST_F(JamfConnectorTest, Ambiguous500IsUnknownAndNotSentAgain) {
  mdm.fail_next({Fault::error_500_after_executing});
  DispatchResult r = make(jamf())->send(command(ActionKind::full_wipe, kJamfDevice, "act_1"));
  EXPECT_EQ(r.delivery, Delivery::unknown) << r.detail;
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.http_status, 500);
  EXPECT_TRUE(contains(r.detail, "Management History")) << r.detail;
  EXPECT_EQ(mdm.executed().size(), 1u);
  EXPECT_TRUE(delays.empty());
}

TEST_F(JamfConnectorTest, ReadTimeoutAfterSendingIsUnknown) {
  MdmConnectorConfig cfg = jamf();
  cfg.timeout_seconds = 1;
  mdm.fail_next({Fault::slow_after_executing});
  DispatchResult r = make(cfg)->send(command(ActionKind::lock, kJamfDevice, "act_1"));
  EXPECT_EQ(r.delivery, Delivery::unknown) << r.detail;
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.http_status, 0);
  EXPECT_TRUE(contains(r.detail, "no complete answer")) << r.detail;
  EXPECT_EQ(mdm.executed().size(), 1u);
}

TEST_F(JamfConnectorTest, RetriesWhenJamfIsBusy) {
  mdm.fail_next({Fault::busy_503});
  DispatchResult r = make(jamf())->send(command(ActionKind::lock, kJamfDevice, "act_1"));
  EXPECT_EQ(r.delivery, Delivery::accepted) << r.detail;
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(delays, (std::vector<std::chrono::milliseconds>{7s}));
  EXPECT_EQ(mdm.executed().size(), 1u);
}

TEST_F(JamfConnectorTest, RefusalShowsJamfsText) {
  mdm.fail_next({Fault::bad_request_400});
  DispatchResult r = make(jamf())->send(command(ActionKind::lock, kJamfDevice, "act_1"));
  EXPECT_EQ(r.delivery, Delivery::failed);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_TRUE(contains(r.detail, "Status page Bad Request Unable to match mobile device 7")) << r.detail;
}

TEST_F(WebhookConnectorTest, RetriesAfter500WithTheSameKeyAndTheReceiverActsOnce) {
  mdm.fail_next({Fault::error_500_after_executing});
  int64_t before = unix_now();
  DispatchResult r = make(webhook())->send(command(ActionKind::full_wipe, "dev-9", "act_hook"));
  int64_t after = unix_now();
  EXPECT_EQ(r.delivery, Delivery::accepted) << r.detail;
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(r.http_status, 202);
  EXPECT_EQ(mdm.executed(), (std::vector<FakeMdm::Executed>{{"full_wipe", "dev-9"}}));
  EXPECT_TRUE(mdm.problems().empty()) << mdm.problems()[0];  // both signatures verified
  auto bodies = mdm.hook_bodies();
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(bodies[0], bodies[1]);
  EXPECT_EQ(json::parse(bodies[0]), (json{{"id", "act_hook"}, {"action", "full_wipe"}, {"device", "dev-9"}, {"platform", "ios"},
                                          {"reason", "phone lost on ward 4B"}, {"requested_by", "alice"}, {"approved_by", "bob"}, {"drill", false}}));
  for (int64_t t : mdm.hook_timestamps()) {
    EXPECT_GE(t, before);
    EXPECT_LE(t, after);
  }
  EXPECT_EQ(delays, (std::vector<std::chrono::milliseconds>{100ms}));
}

TEST_F(WebhookConnectorTest, RefusalFailsAtOnceWithTheReceiversMessage) {
  mdm.fail_next({Fault::bad_request_400});
  DispatchResult r = make(webhook())->send(command(ActionKind::lock, "dev-9", "act_1"));
  EXPECT_EQ(r.delivery, Delivery::failed);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_TRUE(contains(r.detail, "device dev-9 is not enrolled in the MDM")) << r.detail;
}

TEST_F(ConnectorTest, NothingListeningFailsAfterMaxAttempts) {
  MdmConnectorConfig cfg = webhook();
  cfg.base_url = "https://127.0.0.1:" + std::to_string(closed_port()) + "/hook";
  DispatchResult r = make(cfg)->send(command(ActionKind::lock, "dev-9", "act_1"));
  EXPECT_EQ(r.delivery, Delivery::failed);
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(r.http_status, 0);
  EXPECT_TRUE(contains(r.detail, "cannot connect")) << r.detail;
  EXPECT_TRUE(contains(r.detail, "gave up after 3 attempts")) << r.detail;
  EXPECT_EQ(delays, (std::vector<std::chrono::milliseconds>{100ms, 200ms}));
}

TEST_F(ConnectorTest, UntrustedCertificateFailsAtOnceNamingCaFile) {
  MdmConnectorConfig cfg = webhook();
  cfg.ca_file.clear();  // the system's CAs do not know the test server's certificate
  DispatchResult r = make(cfg)->send(command(ActionKind::lock, "dev-9", "act_1"));
  EXPECT_EQ(r.delivery, Delivery::failed);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_TRUE(contains(r.detail, "ca_file")) << r.detail;
  EXPECT_TRUE(mdm.executed().empty());
}

TEST_F(ConnectorTest, MakeConnectorChecksTypeSecretsAndTenant) {
  MdmConnectorConfig missing = intune();
  missing.client_secret_file = dir.path() + "/nowhere.secret";
  auto r = make_connector(missing);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "invalid_config");
  EXPECT_TRUE(contains(r.error().message, "'intune'")) << r.error().message;
  EXPECT_TRUE(contains(r.error().message, "client_secret_file '" + missing.client_secret_file + "' cannot be read")) << r.error().message;

  MdmConnectorConfig hook = webhook();
  hook.secret_file = dir.path() + "/nowhere.key";
  EXPECT_TRUE(contains(make_connector(hook).error().message, "secret_file"));

  MdmConnectorConfig no_tenant = intune();
  no_tenant.token_url.clear();
  EXPECT_TRUE(contains(make_connector(no_tenant).error().message, "'tenant' is missing"));
  no_tenant.tenant = "contoso.onmicrosoft.com";
  no_tenant.name.clear();
  auto made = make_connector(no_tenant);
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_EQ((*made)->name(), "intune");  // the name defaults to the type

  MdmConnectorConfig bad_ca = jamf();
  bad_ca.ca_file = dir.path() + "/nowhere.pem";
  EXPECT_TRUE(contains(make_connector(bad_ca).error().message, "ca_file"));
  MdmConnectorConfig plain = jamf();
  plain.base_url = "http://jamf.example";
  EXPECT_TRUE(contains(make_connector(plain).error().message, "https://"));
  MdmConnectorConfig airwatch = jamf();
  airwatch.type = "airwatch";
  EXPECT_TRUE(contains(make_connector(airwatch).error().message, "intune, jamf or webhook"));
}

TEST(ConnectorNames, DeliveryNames) {
  EXPECT_EQ(name_of(Delivery::accepted), "accepted");
  EXPECT_EQ(name_of(Delivery::failed), "failed");
  EXPECT_EQ(name_of(Delivery::unknown), "unknown");
}

}  // namespace
}  // namespace wardline::response
