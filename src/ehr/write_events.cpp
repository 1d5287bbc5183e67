// Access events written in each input format, one line each, such that the
// readers give the event back (with the patient hashed). FHIR and ATNA have
// no place for the department or a position; JSON lines carry everything.
#include <nlohmann/json.hpp>

#include "core/time.h"
#include "ehr/ehr.h"

namespace wardline::ehr {
namespace {

using ojson = nlohmann::ordered_json;

// Agents identified in this system are devices (the FHIR mapping's
// "who.identifier.system ends in device").
constexpr std::string_view kDeviceSystem = "urn:wardline:device";

// "read" -> 'R', and so on: the five actions start with distinct letters.
char action_letter(std::string_view action) {
  char c = action.empty() ? 'r' : action[0];
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c;
}

// Invalid UTF-8 becomes U+FFFD rather than an exception or a broken line.
std::string dump(const ojson& j) { return j.dump(-1, ' ', false, ojson::error_handler_t::replace); }

// The length of the UTF-8 character at s[i], 1 to 4; 0 when it is not one
// XML can hold.
size_t utf8_length(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0u; };
  unsigned c = byte(i);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || (n == 2 && c < 0xC2) || (n == 4 && c > 0xF4)) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  unsigned c1 = byte(i + 1);
  if ((n == 3 && ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0))) ||
      (n == 4 && ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90))) ||
      (n == 3 && c == 0xEF && c1 == 0xBF && byte(i + 2) >= 0xBE))
    return 0;  // overlong forms, surrogates, beyond U+10FFFF, U+FFFE and U+FFFF
  return n;
}

// An XML attribute value: markup escaped, whitespace kept as character
// references (attribute normalisation would turn it into spaces), and what
// XML 1.0 cannot hold (control characters, invalid UTF-8) as U+FFFD.
std::string xml_attribute(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    size_t n = utf8_length(s, i);
    if (n > 1) {
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    ++i;
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\t':
        out += "&#9;";
        break;
      case '\n':
        out += "&#10;";
        break;
      case '\r':
        out += "&#13;";
        break;
      default:
        if (n == 0 || static_cast<unsigned char>(c) < 0x20)
          out += "\xEF\xBF\xBD";
        else
          out += c;
    }
  }
  return out;
}

// ` name="value"`, or nothing for an empty value.
std::string attr(std::string_view name, std::string_view value) {
  if (value.empty()) return {};
  return " " + std::string(name) + "=\"" + xml_attribute(value) + "\"";
}

}  // namespace

std::string to_fhir_json(const AccessEvent& e, std::string_view patient_id) {
  auto coding = [](const char* system, const char* code, const char* display) {
    return ojson{{"system", system}, {"code", code}, {"display", display}};
  };
  constexpr const char* kEntityType = "http://terminology.hl7.org/CodeSystem/audit-entity-type";

  ojson requestor = {{"who", {{"identifier", {{"value", e.user}}}}}, {"requestor", true}};
  if (!e.role.empty()) requestor["role"] = ojson::array({{{"text", e.role}}});
  if (!e.source_ip.empty()) requestor["network"] = {{"address", e.source_ip}, {"type", "2"}};
  ojson agents = ojson::array({requestor});
  if (!e.device.empty())
    agents.push_back(
        {{"who", {{"identifier", {{"system", kDeviceSystem}, {"value", e.device}}}}}, {"requestor", false}});

  // The patient by identifier (entity type and role 1), which holds any id;
  // a reference would need a FHIR id. The resource by its type alone.
  ojson entities = ojson::array();
  if (!patient_id.empty())
    entities.push_back({{"what", {{"identifier", {{"value", patient_id}}}}},
                        {"type", coding(kEntityType, "1", "Person")},
                        {"role", coding("http://terminology.hl7.org/CodeSystem/object-role", "1", "Patient")}});
  if (!e.resource_type.empty() && (e.resource_type != "Patient" || patient_id.empty()))
    entities.push_back({{"what", {{"type", e.resource_type}}}, {"type", coding(kEntityType, "2", "System Object")}});

  ojson doc = {{"resourceType", "AuditEvent"},
               {"type", coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", "RESTful Operation")},
               {"action", std::string(1, action_letter(e.action))},
               {"recorded", to_rfc3339(e.time)},
               {"outcome", e.outcome == "failure" ? "4" : "0"},
               {"agent", agents}};
  if (!e.application.empty()) doc["source"] = {{"observer", {{"display", e.application}}}};
  if (!entities.empty()) doc["entity"] = entities;
  return dump(doc);
}

std::string to_atna_xml(const AccessEvent& e, std::string_view patient_id) {
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><AuditMessage>";
  x += "<EventIdentification" + attr("EventActionCode", std::string(1, action_letter(e.action))) +
       attr("EventDateTime", to_rfc3339(e.time)) + attr("EventOutcomeIndicator", e.outcome == "failure" ? "4" : "0") +
       "><EventID csd-code=\"110110\" codeSystemName=\"DCM\" originalText=\"Patient Record\"/></EventIdentification>";

  // One network access point per participant: the user's is the address
  // (type 2), else the device (type 1); with both, the device gets a second,
  // non-requesting participant.
  std::string_view access_point = e.source_ip, access_type = "2";
  if (access_point.empty()) {
    access_point = e.device;
    access_type = "1";
  }
  x += "<ActiveParticipant" + attr("UserID", e.user) + " UserIsRequestor=\"true\"" +
       attr("NetworkAccessPointID", access_point) +
       attr("NetworkAccessPointTypeCode", access_point.empty() ? "" : access_type) + ">";
  if (!e.role.empty())
    x += "<RoleIDCode" + attr("csd-code", e.role) + " codeSystemName=\"local\"" + attr("originalText", e.role) + "/>";
  x += "</ActiveParticipant>";
  if (!e.device.empty() && !e.source_ip.empty())
    x += "<ActiveParticipant" + attr("UserID", e.device) + " UserIsRequestor=\"false\"" +
         attr("NetworkAccessPointID", e.device) +
         " NetworkAccessPointTypeCode=\"1\"><RoleIDCode csd-code=\"110153\" codeSystemName=\"DCM\""
         " originalText=\"Source Role ID\"/></ActiveParticipant>";

  if (!e.application.empty()) x += "<AuditSourceIdentification" + attr("AuditSourceID", e.application) + "/>";
  if (!patient_id.empty())
    x += "<ParticipantObjectIdentification" + attr("ParticipantObjectID", patient_id) +
         " ParticipantObjectTypeCode=\"1\" ParticipantObjectTypeCodeRole=\"1\">"
         "<ParticipantObjectIDTypeCode csd-code=\"2\" codeSystemName=\"RFC-3881\" originalText=\"Patient Number\"/>"
         "</ParticipantObjectIdentification>";
  // The resource as an object of its own (type 2, role 4 "resource"), so it
  // reads back ahead of the EventID's text.
  if (!e.resource_type.empty())
    x += "<ParticipantObjectIdentification" + attr("ParticipantObjectID", e.resource_type) +
         " ParticipantObjectTypeCode=\"2\" ParticipantObjectTypeCodeRole=\"4\"><ParticipantObjectIDTypeCode" +
         attr("csd-code", e.resource_type) + " codeSystemName=\"http://hl7.org/fhir/resource-types\"" +
         attr("originalText", e.resource_type) + "/></ParticipantObjectIdentification>";
  return x + "</AuditMessage>";
}

std::string to_jsonl(const AccessEvent& e, std::string_view patient_id) {
  ojson j = {{"time", to_rfc3339(e.time)}, {"user", e.user}};
  for (auto [name, value] : {std::pair<const char*, const std::string*>{"role", &e.role},
                             {"department", &e.department},
                             {"application", &e.application},
                             {"device", &e.device},
                             {"source_ip", &e.source_ip},
                             {"resource_type", &e.resource_type}})
    if (!value->empty()) j[name] = *value;
  // An event read earlier carries only the hash; it is kept as such.
  if (!patient_id.empty())
    j["patient"] = patient_id;
  else if (!e.patient.empty())
    j["patient_hash"] = e.patient;
  j["action"] = e.action.empty() ? "read" : e.action;
  j["outcome"] = e.outcome;
  if (e.position) {
    j["latitude"] = e.position->first;
    j["longitude"] = e.position->second;
  }
  return dump(j);
}

}  // namespace wardline::ehr
