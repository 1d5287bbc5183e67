// RFC 5424 syslog messages and ArcSight CEF payloads.
#include <string>

#include "siem/siem.h"

namespace wardline::siem {
namespace {

// Security/authorization messages (RFC 5424 facility 4).
constexpr int kFacility = 4;
// Structured-data ids use IANA's documentation enterprise number (RFC 5612).
constexpr const char* kSdId = "wardline@32473";
constexpr const char* kSdDetailsId = "details@32473";

// PRINTUSASCII except '=', SP, ']', '"'; at most 32 characters (RFC 5424 §6.3.3).
std::string sd_name(const std::string& in) {
  std::string out;
  for (char c : in) {
    if (out.size() == 32) break;
    bool ok = c > 32 && c < 127 && c != '=' && c != ']' && c != '"';
    out.push_back(ok ? c : '_');
  }
  return out.empty() ? "_" : out;
}

// Inside PARAM-VALUE, '"', '\' and ']' must be escaped (RFC 5424 §6.3.3).
std::string sd_value(const std::string& in) {
  std::string out;
  for (char c : in) {
    if (c == '"' || c == '\\' || c == ']') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

// HOSTNAME, APP-NAME, MSGID: PRINTUSASCII, bounded length, "-" when empty.
std::string header_field(const std::string& in, size_t max) {
  std::string out;
  for (char c : in) {
    if (out.size() == max) break;
    out.push_back(c > 32 && c < 127 ? c : '_');
  }
  return out.empty() ? "-" : out;
}

void param(std::string& out, const std::string& name, const std::string& value) {
  if (value.empty()) return;
  out += " " + sd_name(name) + "=\"" + sd_value(value) + "\"";
}

std::string cef_header(const std::string& in) {
  std::string out;
  for (char c : in) {
    if (c == '|' || c == '\\') out.push_back('\\');
    out.push_back(c == '\n' || c == '\r' ? ' ' : c);
  }
  return out;
}

std::string cef_value(const std::string& in) {
  std::string out;
  for (char c : in) {
    if (c == '\\' || c == '=') out.push_back('\\'), out.push_back(c);
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else out.push_back(c);
  }
  return out;
}

// CEF severity 0-10 from the syslog severity.
int cef_severity(const std::string& s) {
  switch (syslog_severity(s)) {
    case 2: return 10;
    case 3: return 8;
    case 4: return 6;
    case 5: return 4;
    case 7: return 1;
    default: return 3;
  }
}

std::string summary(const SecurityEvent& e) {
  std::string s = e.type + " " + e.outcome;
  if (!e.actor.empty()) s += " actor=" + e.actor;
  if (!e.subject.empty()) s += " subject=" + e.subject;
  return s;
}

}  // namespace

std::string to_cef(const SecurityEvent& e) {
  std::string out = "CEF:0|Wardline|Wardline|1.0|" + cef_header(e.type) + "|" +
                    cef_header(e.type + " " + e.outcome) + "|" + std::to_string(cef_severity(e.severity)) + "|";
  std::string ext = "externalId=" + cef_value(e.id) + " rt=" + cef_value(e.time);
  if (!e.actor.empty()) ext += " suser=" + cef_value(e.actor);
  if (!e.subject.empty()) ext += " duser=" + cef_value(e.subject);
  if (!e.source_ip.empty()) ext += " src=" + cef_value(e.source_ip);
  if (!e.outcome.empty()) ext += " outcome=" + cef_value(e.outcome);
  // Details go into custom string fields cs1..cs6 with their labels.
  int n = 0;
  std::string overflow;
  for (const auto& [k, v] : e.details) {
    if (++n <= 6) {
      std::string i = std::to_string(n);
      ext += " cs" + i + "Label=" + cef_value(k) + " cs" + i + "=" + cef_value(v);
    } else {
      overflow += (overflow.empty() ? "" : "; ") + k + ": " + v;
    }
  }
  if (!overflow.empty()) ext += " msg=" + cef_value(overflow);
  return out + ext;
}

std::string to_rfc5424(const SecurityEvent& e, const std::string& hostname,
                       const std::string& app_name, bool cef_payload) {
  int pri = kFacility * 8 + syslog_severity(e.severity);
  std::string out = "<" + std::to_string(pri) + ">1 " + header_field(e.time, 64) + " " +
                    header_field(hostname, 255) + " " + header_field(app_name, 48) + " - " +
                    header_field(e.type, 32) + " ";
  if (cef_payload) return out + "- " + to_cef(e);
  std::string sd = std::string("[") + kSdId;
  param(sd, "id", e.id);
  param(sd, "type", e.type);
  param(sd, "severity", e.severity);
  param(sd, "actor", e.actor);
  param(sd, "subject", e.subject);
  param(sd, "source_ip", e.source_ip);
  param(sd, "outcome", e.outcome);
  sd += "]";
  if (!e.details.empty()) {
    sd += std::string("[") + kSdDetailsId;
    for (const auto& [k, v] : e.details) param(sd, k, v);
    sd += "]";
  }
  return out + sd + " " + summary(e);
}

}  // namespace wardline::siem
