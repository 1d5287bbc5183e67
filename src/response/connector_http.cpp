#include "response/connector_http.h"

#include <httplib.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "core/files.h"
#include "core/strings.h"

namespace wardline::response::mdm {
namespace {

using namespace std::chrono_literals;

constexpr size_t kMaxErrorText = 300;
constexpr auto kMaxRetryAfter = 60s;
constexpr auto kTokenMargin = 60s;  // a token is renewed this long before it expires

std::pair<std::string, std::string> split_url(const std::string& url) {
  size_t scheme_end = url.find("://");
  size_t path_at = url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  if (path_at == std::string::npos) return {url, "/"};
  return {url.substr(0, path_at), url.substr(path_at)};
}

Reply reply(Outcome outcome, std::string detail, int status = 0) {
  Reply r;
  r.outcome = outcome;
  r.status = status;
  r.detail = std::move(detail);
  return r;
}

// Retry-After in seconds; the HTTP-date form is ignored (the backoff applies).
std::optional<std::chrono::seconds> retry_after(const std::string& value) {
  if (value.empty() || value.size() > 6 || !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return std::chrono::seconds(std::stol(value));
}

// Before the request went out (nothing happened), or after (it may have).
Reply transport_failure(httplib::Error error, long verify_result, const std::string& origin, const std::string& vendor) {
  std::string cannot = "cannot connect to " + vendor + " at " + origin;
  switch (error) {
    case httplib::Error::Connection:
    case httplib::Error::BindIPAddress:
      return reply(Outcome::retry, cannot + " (connection refused, host not found or no route): nothing was sent; "
                                            "check base_url and the network path");
    case httplib::Error::ConnectionTimeout:
      return reply(Outcome::retry, cannot + " (connection timed out): nothing was sent");
    case httplib::Error::SSLConnection:
      return reply(Outcome::retry, cannot + " (TLS handshake failed): nothing was sent");
    case httplib::Error::SSLServerVerification:
    case httplib::Error::SSLLoadingCerts:
      // The same certificate fails the same way next time: no point retrying.
      return reply(Outcome::refused, "cannot verify the TLS certificate of " + origin + " (" + X509_verify_cert_error_string(verify_result) +
                                         "): nothing was sent; if the MDM uses a private CA, set ca_file to that CA's certificate (PEM)");
    default:  // Read, Write and the rest: the request may have gone out whole
      return reply(Outcome::ambiguous, "the request reached " + vendor + " at " + origin + " but no complete answer came back (" +
                                           httplib::to_string(error) + " error: read timeout or connection reset): it may have been carried out");
  }
}

Reply classify(int status, std::string body, const std::string& location, const std::string& retry, const std::string& vendor) {
  std::string text = error_text(body);
  std::string said = " (HTTP " + std::to_string(status) + ")" + (text.empty() ? "" : ": " + text);
  Reply r = reply(Outcome::refused, "", status);
  r.body = std::move(body);
  if (status >= 200 && status < 300) {
    r.outcome = Outcome::done;
    r.detail = vendor + " accepted it (HTTP " + std::to_string(status) + ")";
  } else if (status == 429 || status == 503) {
    r.outcome = Outcome::retry;
    r.retry_after = retry_after(retry);
    r.detail = vendor + " is busy" + said + "; it did nothing";
  } else if (status >= 500) {
    r.outcome = Outcome::ambiguous;
    r.detail = vendor + " failed while handling it" + said + ": it may have been carried out";
  } else if (status >= 300 && status < 400) {
    r.detail = vendor + " redirects" + said + " to '" + location + "': set base_url to the address it redirects to";
  } else {
    r.detail = vendor + " refused it" + said;
  }
  return r;
}

std::string join(const std::string& a, const std::string& b) {
  return a.empty() ? b : b.empty() ? a : a + ": " + b;
}

// Text on one line: markup tags dropped, whitespace collapsed, at most kMaxErrorText bytes.
std::string one_line(const std::string& text) {
  size_t first = text.find_first_not_of(" \t\r\n");
  bool markup = first != std::string::npos && text[first] == '<';
  std::string out;
  bool in_tag = false, space = false;
  for (char c : text) {
    if (markup && c == '<') in_tag = true;
    if (in_tag) {
      in_tag = c != '>';
      space = !out.empty();
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  if (out.size() <= kMaxErrorText) return out;
  return std::string(utf8_prefix(out, kMaxErrorText)) + "…";
}

}  // namespace

Reply exchange(const MdmConnectorConfig& config, const Request& request, const std::string& vendor) {
  auto [origin, path] = split_url(request.url);
  httplib::Client client(origin);
  client.enable_server_certificate_verification(true);
  if (!config.ca_file.empty()) client.set_ca_cert_path(config.ca_file.c_str());
  if (SSL_CTX* ctx = client.ssl_context()) SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  client.set_connection_timeout(config.timeout_seconds, 0);
  client.set_read_timeout(config.timeout_seconds, 0);
  client.set_write_timeout(config.timeout_seconds, 0);
  httplib::Headers headers(request.headers.begin(), request.headers.end());
  headers.emplace("User-Agent", "Wardline");
  auto r = request.method == "GET" ? client.Get(path, headers) : client.Post(path, headers, request.body, request.content_type);
  if (!r) return transport_failure(r.error(), client.get_openssl_verify_result(), origin, vendor);
  return classify(r->status, std::move(r->body), r->get_header_value("Location"), r->get_header_value("Retry-After"), vendor);
}

std::string error_text(const std::string& body) {
  auto str = [](const nlohmann::json& o, const char* key) {
    auto it = o.find(key);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  std::string text;
  if (auto j = nlohmann::json::parse(body, nullptr, false); j.is_object()) {
    if (auto e = j.find("error"); e != j.end() && e->is_object()) {
      text = join(str(*e, "code"), str(*e, "message"));  // Microsoft Graph
    } else if (e != j.end() && e->is_string()) {
      text = join(e->get<std::string>(), str(j, "error_description"));  // OAuth2 (RFC 6749 section 5.2)
    } else if (auto errors = j.find("errors"); errors != j.end() && errors->is_array()) {
      for (const auto& x : *errors)  // Jamf Pro API
        if (x.is_object()) text += (text.empty() ? "" : "; ") + join(str(x, "code"), str(x, "description"));
    } else {
      text = str(j, "message");
    }
  }
  text = one_line(text.empty() ? body : text);
  while (text.ends_with(".")) text.pop_back();  // it is followed by more words of ours
  return text;
}

TokenSource::TokenSource(MdmConnectorConfig config, std::string scope, std::string vendor)
    : config_(std::move(config)), scope_(std::move(scope)), vendor_(std::move(vendor)) {}

Reply TokenSource::fetch(bool renew, std::string& token) {
  std::lock_guard lock(mu_);
  auto now = std::chrono::steady_clock::now();
  if (renew && token_ == token) token_.clear();  // unless another thread has renewed it already
  if (!token_.empty() && now < valid_until_) {
    token = token_;
    return reply(Outcome::done, "");
  }
  std::string where = "cannot get an OAuth2 token for client '" + config_.client_id + "' from " + config_.token_url + ": ";
  auto secret = read_secret_file(config_.client_secret_file, "the client secret file");
  if (!secret) return reply(Outcome::refused, where + secret.error().message);
  auto enc = [](const std::string& v) { return httplib::detail::encode_query_param(v); };
  std::string form = "grant_type=client_credentials&client_id=" + enc(config_.client_id) + "&client_secret=" + enc(*secret);
  if (!scope_.empty()) form += "&scope=" + enc(scope_);
  Reply r = exchange(config_, {"POST", config_.token_url, {{"Accept", "application/json"}}, form, "application/x-www-form-urlencoded"},
                     vendor_ + "'s token endpoint");
  if (r.outcome == Outcome::done) {
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    auto t = j.is_object() ? j.find("access_token") : j.end();
    if (t == j.end() || !t->is_string() || t->get<std::string>().empty())
      return reply(Outcome::refused, where + "the answer has no access_token: is token_url an OAuth2 token endpoint?", r.status);
    long expires_in = 0;  // none given: used for this call only
    if (auto e = j.find("expires_in"); e != j.end() && e->is_number_integer()) expires_in = e->get<long>();
    else if (e != j.end() && e->is_string()) expires_in = std::strtol(e->get<std::string>().c_str(), nullptr, 10);
    token = token_ = t->get<std::string>();
    valid_until_ = now + std::chrono::seconds(expires_in) - kTokenMargin;
    return r;
  }
  if (r.outcome == Outcome::ambiguous) r.outcome = Outcome::retry;  // asking for a token changes nothing
  r.detail = where + r.detail;
  if (r.outcome == Outcome::refused && (r.status == 400 || r.status == 401))
    r.detail += "; check client_id and the secret in " + config_.client_secret_file + " (an expired or replaced secret must be updated there)";
  // Identity providers do not echo secrets, but an error text is shown to administrators: make sure.
  for (size_t at; secret->size() >= 4 && (at = r.detail.find(*secret)) != std::string::npos;) r.detail.replace(at, secret->size(), "[secret]");
  return r;
}

Reply TokenSource::with_token(const std::function<Reply(const std::string& bearer)>& call) {
  std::string token;
  if (Reply t = fetch(false, token); t.outcome != Outcome::done) return t;
  Reply r = call(token);
  if (r.status != 401) return r;
  if (Reply t = fetch(true, token); t.outcome != Outcome::done) return t;
  r = call(token);
  if (r.status == 401) r.detail += "; a fresh token was refused too: check that the API client is enabled and allowed to do this";
  return r;
}

DispatchResult deliver(const MdmConnectorConfig& config, const Sleeper& sleep, const std::function<Reply()>& attempt,
                       const RetryRules& rules) {
  DispatchResult out;
  auto unknown = [&](const std::string& why) {
    out.delivery = Delivery::unknown;
    out.detail = why + ". " + rules.unknown_hint;
    return out;
  };
  std::chrono::milliseconds backoff = config.backoff;
  for (int n = 1;; ++n) {
    Reply r = attempt();
    out.attempts = n;
    out.http_status = r.status;
    out.detail = r.detail;
    bool last = n >= config.max_attempts;
    switch (r.outcome) {
      case Outcome::done:
        out.delivery = Delivery::accepted;
        if (n > 1) out.detail += " on attempt " + std::to_string(n);
        return out;
      case Outcome::refused:
        out.delivery = Delivery::failed;
        return out;
      case Outcome::retry:
        if (last) {
          out.delivery = Delivery::failed;
          out.detail += " (gave up after " + std::to_string(n) + (n == 1 ? " attempt)" : " attempts)");
          return out;
        }
        break;
      case Outcome::ambiguous:
        if (!rules.resend_ambiguous) return unknown(r.detail);
        break;
    }
    if (!last) {
      sleep(r.retry_after ? std::min<std::chrono::milliseconds>(*r.retry_after, kMaxRetryAfter) : backoff);
      backoff *= 2;
    }
    if (r.outcome != Outcome::ambiguous) continue;
    if (rules.check) {
      Check c = rules.check();
      if (c.seen == Seen::yes) {
        out.delivery = Delivery::accepted;
        out.detail = r.detail + "; " + c.detail;
        return out;
      }
      if (c.seen == Seen::cannot_tell) return unknown(r.detail + "; " + c.detail);
    }
    if (last) return unknown(r.detail + " (gave up after " + std::to_string(n) + " attempts)");
  }
}

}  // namespace wardline::response::mdm
