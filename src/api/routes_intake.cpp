// Webhook intake: staff forward suspicious messages to the hospital's Twilio
// number or WhatsApp Business number; the provider posts them here, signed.
#include <spdlog/spdlog.h>

#include "api/router.h"
#include "api/throttle.h"
#include "core/crypto.h"
#include "core/redact.h"
#include "smish/smish.h"

namespace wardline::api {
namespace {

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

void send_twiml(httplib::Response& res, const std::string& message) {
  res.status = 200;
  res.set_content("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>" + xml_escape(message) +
                      "</Message></Response>",
                  "text/xml");
}

// A request whose signature is missing or wrong: audited (as any failed
// authentication), throttled per address, refused.
void refuse_signature(Services& s, const httplib::Request& req, httplib::Response& res, const std::string& rid,
                      const std::string& method, bool missing) {
  auto t = s.throttle.failure(req.remote_addr);
  if (t == AuthThrottle::Verdict::record) {
    auto e = siem::make_event("auth.attempt", "failure");
    e.severity = "warning";
    e.actor = "anonymous";
    e.source_ip = req.remote_addr;
    e.details = {{"method", method}, {"route", req.method + " " + req.path}, {"request_id", rid},
                 {"reason", missing ? "signature header missing" : "signature does not match"}};
    (void)record(s, e);  // refused either way
  } else {
    if (t == AuthThrottle::Verdict::first_throttled) record_throttled(s, req.remote_addr, rid);
    return send_throttled(res);
  }
  if (missing)
    send_json(res, 401, error_body(make_error("unauthenticated", "the request is not signed: the " + method +
                                                                     " header is missing")));
  else
    send_json(res, 403, error_body(make_error("forbidden", "the " + method +
                                                               " header does not match this request; check that the "
                                                               "configured secret and webhook URL are the provider's")));
}

// Files the report and its audit event; the report is withdrawn when the
// audit record cannot be written.
Result<smish::InboundReport> file_report(Services& s, const smish::InboundMessage& m, const std::string& channel,
                                         const httplib::Request& req, const std::string& rid) {
  auto in = s.reports->submit_inbound(m, channel);
  if (!in) return in.error();
  if (in->report.duplicate) return in;
  auto e = siem::make_event("smish.report", "success");
  e.actor = in->report.reporter;
  e.source_ip = req.remote_addr;
  e.details["intake"] = m.provider;
  if (Status a = audit_new_report(s, e, nullptr, in->report, rid); !a) return a.error();
  return in;
}

// The URL Twilio requested: as configured (behind a proxy the daemon cannot
// see it), else rebuilt from the Host header and the request target.
std::string twilio_url(const Services& s, const httplib::Request& req) {
  if (!s.config.smish.twilio.webhook_url.empty()) return s.config.smish.twilio.webhook_url;
  std::string scheme = req.get_header_value("X-Forwarded-Proto");
  if (scheme != "http" && scheme != "https") scheme = s.config.tls.enabled ? "https" : "http";
  return scheme + "://" + req.get_header_value("Host") + req.target;
}

void twilio_sms(Services& s, const httplib::Request& req, httplib::Response& res, const std::string& rid) {
  if (s.intake.twilio_auth_token.empty() || !s.reports)
    return send_json(res, 503, error_body(make_error("unavailable", "Twilio intake is not configured on this server "
                                                                    "(set smish.twilio.auth_token_file)")));
  std::string signature = req.get_header_value("X-Twilio-Signature");
  if (signature.empty()) return refuse_signature(s, req, res, rid, "X-Twilio-Signature", true);
  auto params = smish::parse_form(req.body);
  if (!params) return send_json(res, 400, error_body(params.error()));
  if (!smish::twilio_signature_valid(s.intake.twilio_auth_token, twilio_url(s, req), *params, req.body, signature))
    return refuse_signature(s, req, res, rid, "X-Twilio-Signature", false);
  auto msg = smish::twilio_message(*params);
  if (!msg) return send_json(res, 400, error_body(msg.error()));
  // Twilio's WhatsApp channel posts here too, with "whatsapp:+1..." numbers.
  std::string channel = "sms";
  if (msg->from.rfind("whatsapp:", 0) == 0) {
    channel = "whatsapp";
    msg->from = msg->from.substr(9);
  }
  if (msg->body.empty()) return send_twiml(res, "Thanks. Please forward the suspicious message as text; pictures cannot be analysed.");
  auto in = file_report(s, *msg, channel, req, rid);
  if (!in && in.error().code == "rate_limited")
    return send_twiml(res, "Thanks. You have sent many reports this hour; the security team has been told.");
  if (!in) {
    spdlog::error("request {}: Twilio report not filed: {}", rid, redact_text(in.error().message));
    return send_json(res, http_status_for(in.error()), error_body(in.error()));
  }
  send_twiml(res, smish::reporter_reply(in->report, in->staff));
}

// Meta's subscription handshake: echo hub.challenge when the token matches.
void whatsapp_verify(Services& s, const httplib::Request& req, httplib::Response& res, const std::string& rid) {
  if (s.intake.whatsapp_verify_token.empty())
    return send_json(res, 503, error_body(make_error("unavailable", "WhatsApp intake is not configured on this server "
                                                                    "(set smish.whatsapp.app_secret_file and verify_token_file)")));
  std::string mode = req.get_param_value("hub.mode"), token = req.get_param_value("hub.verify_token");
  std::string challenge = req.get_param_value("hub.challenge");
  if (mode != "subscribe" || challenge.empty())
    return send_json(res, 400, error_body(make_error("invalid_request", "expected hub.mode=subscribe with hub.challenge")));
  if (!crypto::constant_time_equal(token, s.intake.whatsapp_verify_token))
    return refuse_signature(s, req, res, rid, "hub.verify_token", token.empty());
  res.status = 200;
  res.set_content(challenge, "text/plain");
}

void whatsapp_post(Services& s, const httplib::Request& req, httplib::Response& res, const std::string& rid) {
  if (s.intake.whatsapp_app_secret.empty() || !s.reports)
    return send_json(res, 503, error_body(make_error("unavailable", "WhatsApp intake is not configured on this server "
                                                                    "(set smish.whatsapp.app_secret_file and verify_token_file)")));
  std::string signature = req.get_header_value("X-Hub-Signature-256");
  if (signature.empty()) return refuse_signature(s, req, res, rid, "X-Hub-Signature-256", true);
  if (!smish::hub_signature_valid(s.intake.whatsapp_app_secret, req.body, signature))
    return refuse_signature(s, req, res, rid, "X-Hub-Signature-256", false);
  auto delivery = smish::whatsapp_messages(req.body);
  if (!delivery) return send_json(res, 400, error_body(delivery.error()));
  int filed = 0, duplicates = 0, limited = 0;
  for (const auto& m : delivery->messages) {
    auto in = file_report(s, m, "whatsapp", req, rid);
    if (!in && in.error().code == "rate_limited") {
      ++limited;
      continue;
    }
    // Anything else fails the delivery: Meta retries, and replays are harmless.
    if (!in) {
      spdlog::error("request {}: WhatsApp report not filed: {}", rid, redact_text(in.error().message));
      return send_json(res, http_status_for(in.error()), error_body(in.error()));
    }
    ++(in->report.duplicate ? duplicates : filed);
  }
  send_json(res, 200, {{"filed", filed}, {"duplicates", duplicates}, {"rate_limited", limited}, {"skipped", delivery->skipped}});
}

}  // namespace

void add_intake_routes(std::vector<RawRoute>& routes, Services& s) {
  routes.push_back({"POST", "/api/v1/intake/twilio", [&s](const auto& req, auto& res, const auto& rid) { twilio_sms(s, req, res, rid); }});
  routes.push_back({"GET", "/api/v1/intake/whatsapp", [&s](const auto& req, auto& res, const auto& rid) { whatsapp_verify(s, req, res, rid); }});
  routes.push_back({"POST", "/api/v1/intake/whatsapp", [&s](const auto& req, auto& res, const auto& rid) { whatsapp_post(s, req, res, rid); }});
}

}  // namespace wardline::api
