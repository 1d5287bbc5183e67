// Intake webhooks: Twilio (form posts signed with X-Twilio-Signature) and the
// WhatsApp Cloud API (JSON signed with X-Hub-Signature-256). Signatures are
// computed exactly as the providers document them and compared in constant time.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "core/crypto.h"
#include "smish/smish.h"

namespace wardline::smish {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> form_decode(std::string_view s, size_t offset) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%') {
      int hi = i + 2 < s.size() ? hex_value(s[i + 1]) : -1, lo = i + 2 < s.size() ? hex_value(s[i + 2]) : -1;
      if (hi < 0 || lo < 0)
        return make_error("invalid_form", "bad percent-escape at byte " + std::to_string(offset + i) +
                                              " of the form body ('%' must be followed by two hex digits)");
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

struct UrlParts {
  std::string scheme, host, port, rest;  // rest: path and query, from the first '/' or '?'
};

bool split_url(std::string_view url, UrlParts& out) {
  size_t sep = url.find("://");
  if (sep == std::string_view::npos) return false;
  out.scheme = std::string(url.substr(0, sep));
  std::string_view after = url.substr(sep + 3);
  size_t end = after.find_first_of("/?#");
  std::string_view authority = after.substr(0, end);
  out.rest = end == std::string_view::npos ? "" : std::string(after.substr(end));
  size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    out.host = std::string(authority.substr(0, colon));
    out.port = std::string(authority.substr(colon + 1));
  } else {
    out.host = std::string(authority);
  }
  return !out.host.empty();
}

// The URL as received, without its port, and with the scheme's default port.
std::set<std::string> url_variants(std::string_view url) {
  std::set<std::string> out{std::string(url)};
  UrlParts p;
  if (!split_url(url, p)) return out;
  std::string base = p.scheme + "://" + p.host;
  out.insert(base + p.rest);
  std::string default_port = p.scheme == "https" ? "443" : p.scheme == "http" ? "80" : "";
  if (!default_port.empty()) out.insert(base + ":" + default_port + p.rest);
  return out;
}

// The value of query parameter `name` in `url`, or empty.
std::string query_param(std::string_view url, std::string_view name) {
  size_t q = url.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view query = url.substr(q + 1);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (pair.size() > name.size() && pair.substr(0, name.size()) == name && pair[name.size()] == '=')
      return std::string(pair.substr(name.size() + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

const nlohmann::json* member(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

std::string string_member(const nlohmann::json& j, const char* key) {
  const nlohmann::json* v = member(j, key);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

}  // namespace

Result<FormParams> parse_form(std::string_view body) {
  FormParams out;
  size_t offset = 0;
  while (offset <= body.size()) {
    size_t amp = body.find('&', offset);
    if (amp == std::string_view::npos) amp = body.size();
    std::string_view pair = body.substr(offset, amp - offset);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      auto name = form_decode(pair.substr(0, eq), offset);
      if (!name) return name.error();
      std::string value;
      if (eq != std::string_view::npos) {
        auto v = form_decode(pair.substr(eq + 1), offset + eq + 1);
        if (!v) return v.error();
        value = std::move(*v);
      }
      out.emplace_back(std::move(*name), std::move(value));
    }
    offset = amp + 1;
  }
  return out;
}

std::string twilio_signature(std::string_view auth_token, std::string_view url, const FormParams& params) {
  // Sorted by name, then value; a repeated identical pair counts once.
  std::map<std::string, std::set<std::string>> sorted;
  for (const auto& [k, v] : params) sorted[k].insert(v);
  std::string data(url);
  for (const auto& [k, values] : sorted)
    for (const auto& v : values) data += k + v;
  return crypto::base64_encode(crypto::hmac_sha1(auth_token, data));
}

bool twilio_signature_valid(std::string_view auth_token, std::string_view url, const FormParams& params,
                            std::string_view raw_body, std::string_view signature) {
  if (signature.empty() || auth_token.empty()) return false;
  const FormParams none;
  const FormParams* signed_params = &params;
  if (std::string body_hash = query_param(url, "bodySHA256"); !body_hash.empty()) {
    if (!crypto::constant_time_equal(crypto::sha256_hex(raw_body), body_hash)) return false;
    signed_params = &none;
  }
  bool ok = false;
  for (const auto& u : url_variants(url))
    ok |= crypto::constant_time_equal(twilio_signature(auth_token, u, *signed_params), signature);
  return ok;
}

Result<InboundMessage> twilio_message(const FormParams& params) {
  InboundMessage m;
  m.provider = "twilio";
  for (const auto& [k, v] : params) {
    if (k == "MessageSid" || (k == "SmsMessageSid" && m.message_id.empty())) m.message_id = v;
    else if (k == "From") m.from = v;
    else if (k == "Body") m.body = v;
  }
  if (m.message_id.empty()) return make_error("invalid_webhook", "the Twilio request has no MessageSid: is this a messaging webhook?", "MessageSid");
  if (m.from.empty()) return make_error("invalid_webhook", "the Twilio request has no From number", "From");
  return m;
}

bool hub_signature_valid(std::string_view app_secret, std::string_view raw_body, std::string_view header) {
  constexpr std::string_view prefix = "sha256=";
  if (app_secret.empty() || header.substr(0, prefix.size()) != prefix) return false;
  std::string expected = crypto::hex_encode(crypto::hmac_sha256(app_secret, raw_body));
  std::string given(header.substr(prefix.size()));
  std::transform(given.begin(), given.end(), given.begin(), ::tolower);
  return crypto::constant_time_equal(expected, given);
}

Result<WhatsAppDelivery> whatsapp_messages(std::string_view body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) return make_error("invalid_webhook", "the WhatsApp webhook body is not valid JSON");
  if (string_member(j, "object") != "whatsapp_business_account")
    return make_error("invalid_webhook", "not a WhatsApp Cloud API webhook: 'object' must be \"whatsapp_business_account\"", "object");
  const nlohmann::json* entries = member(j, "entry");
  if (!entries || !entries->is_array()) return make_error("invalid_webhook", "'entry' must be an array", "entry");
  WhatsAppDelivery out;
  for (const auto& entry : *entries) {
    const nlohmann::json* changes = member(entry, "changes");
    if (!changes || !changes->is_array()) continue;
    for (const auto& change : *changes) {
      const nlohmann::json* value = member(change, "value");
      if (string_member(change, "field") != "messages" || !value) {
        ++out.skipped;
        continue;
      }
      // Display names by WhatsApp id, from the contacts beside the messages.
      std::map<std::string, std::string> names;
      if (const nlohmann::json* contacts = member(*value, "contacts"); contacts && contacts->is_array())
        for (const auto& c : *contacts)
          if (const nlohmann::json* profile = member(c, "profile")) names[string_member(c, "wa_id")] = string_member(*profile, "name");
      if (const nlohmann::json* statuses = member(*value, "statuses"); statuses && statuses->is_array())
        out.skipped += static_cast<int>(statuses->size());
      const nlohmann::json* messages = member(*value, "messages");
      if (!messages || !messages->is_array()) continue;
      for (const auto& msg : *messages) {
        InboundMessage m;
        m.provider = "whatsapp";
        m.message_id = string_member(msg, "id");
        m.from = string_member(msg, "from");
        std::string type = string_member(msg, "type");
        if (const nlohmann::json* content = member(msg, type.c_str()))
          m.body = string_member(*content, type == "text" ? "body" : "caption");
        std::string ts = string_member(msg, "timestamp");
        if (!ts.empty() && ts.size() <= 12 && ts.find_first_not_of("0123456789") == std::string::npos) m.timestamp = std::stoll(ts);
        if (m.message_id.empty() || m.from.empty() || m.body.empty()) {
          ++out.skipped;
          continue;
        }
        auto name = names.find(m.from);
        if (name != names.end()) m.profile_name = name->second;
        out.messages.push_back(std::move(m));
      }
    }
  }
  return out;
}

}  // namespace wardline::smish
