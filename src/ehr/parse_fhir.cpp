// FHIR R4 AuditEvent: one resource, a Bundle of them, or NDJSON (mapping in
// docs/ehr-analytics.md).
//
// simdjson reads a well-formed document whole and NDJSON line by line.
// Anything else (cut off, broken, several documents) is taken apart by a
// small scanner that finds where documents, Bundle members and entries
// begin and end without parsing them, so each entry is parsed on its own: a
// broken or cut-off entry is reported with its line and the entries around
// it are still read.
#include <simdjson.h>

#include <initializer_list>
#include <optional>
#include <vector>

#include "core/strings.h"
#include "core/time.h"
#include "ehr/parsers.h"

namespace wardline::ehr {
namespace {

using simdjson::dom::element;
using namespace std::string_view_literals;
constexpr size_t npos = std::string_view::npos;

constexpr std::string_view kValid =
    "a valid AuditEvent has 'recorded' (RFC 3339 time) and an agent with requestor: true and who.identifier.value";

// ------------------------------------------------------------------ scanner

bool json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t skip_space(std::string_view t, size_t pos) {
  while (pos < t.size() && json_space(t[pos])) ++pos;
  return pos < t.size() ? pos : npos;
}

// Just past the string opening at t[pos]; npos when cut off.
size_t string_end(std::string_view t, size_t pos) {
  for (size_t i = pos + 1; i < t.size(); ++i) {
    if (t[i] == '\\')
      ++i;
    else if (t[i] == '"')
      return i + 1;
  }
  return npos;
}

// Just past the value starting at t[pos] (object, array, string or scalar);
// npos when the text ends first. Brackets are counted, not matched: a
// mismatch is simdjson's to report when the value is parsed.
size_t value_end(std::string_view t, size_t pos) {
  char c = t[pos];
  if (c == '"') return string_end(t, pos);
  if (c != '{' && c != '[') {
    while (pos < t.size() && !json_space(t[pos]) && t[pos] != ',' && t[pos] != '}' && t[pos] != ']') ++pos;
    return pos;
  }
  size_t depth = 0;
  for (size_t i = pos; i < t.size(); ++i) {
    c = t[i];
    if (c == '"') {
      i = string_end(t, i);
      if (i == npos) return npos;
      --i;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if ((c == '}' || c == ']') && --depth == 0) {
      return i + 1;
    }
  }
  return npos;
}

// A member of the object being walked: its key (raw, unescaped keys only
// matter here) and where its value lies.
struct Member {
  std::string_view key;
  size_t value = npos;
};

// Steps through an object's members (t[pos] == '{').
class MemberWalk {
 public:
  MemberWalk(std::string_view t, size_t pos) : t_(t), pos_(skip_space(t, pos + 1)) {}
  // The next member, or false at the closing brace (end() is then past it)
  // or when the text is cut off or malformed (end() is npos).
  bool next(Member& m) {
    if (pos_ == npos) return false;
    if (t_[pos_] == '}') {
      end_ = pos_ + 1;
      return false;
    }
    size_t key_end = t_[pos_] == '"' ? string_end(t_, pos_) : npos;
    size_t colon = key_end == npos ? npos : skip_space(t_, key_end);
    if (colon == npos || t_[colon] != ':' || (m.value = skip_space(t_, colon + 1)) == npos) return pos_ = npos, false;
    m.key = t_.substr(pos_ + 1, key_end - pos_ - 2);
    return true;
  }
  // Moves past the member's value, which ends at `value_end` (npos: cut off).
  void after(size_t value_end) {
    pos_ = value_end == npos ? npos : skip_space(t_, value_end);
    if (pos_ != npos && t_[pos_] == ',') pos_ = skip_space(t_, pos_ + 1);
  }
  size_t end() const { return end_; }

 private:
  std::string_view t_;
  size_t pos_;
  size_t end_ = npos;
};

// ------------------------------------------------------------------ mapping

// The string at the end of a lookup chain (r["who"]["identifier"]["value"]),
// or empty when any step is missing or not of its type.
std::string_view text(simdjson::simdjson_result<element> value) {
  std::string_view s;
  if (value.get(s)) return {};
  return s;
}
std::string_view text(element value) { return text(simdjson::simdjson_result<element>(std::move(value))); }

// A member not (yet) found: lookups through it find nothing either.
using Found = simdjson::simdjson_result<element>;
Found missing() { return simdjson::NO_SUCH_FIELD; }

// "Observation/17", "https://ehr.example/fhir/Observation/17/_history/2" ->
// {"Observation", "17"}; empty for contained ("#x") and search references.
std::pair<std::string_view, std::string_view> split_reference(std::string_view ref) {
  if (ref.find('?') != npos) return {};
  if (size_t h = ref.find("/_history/"); h != npos) ref = ref.substr(0, h);
  size_t slash = ref.rfind('/');
  if (slash == npos || slash == 0 || slash + 1 == ref.size()) return {};
  std::string_view id = ref.substr(slash + 1);
  ref = ref.substr(0, slash);
  std::string_view type = ref.substr(ref.rfind('/') == npos ? 0 : ref.rfind('/') + 1);
  if (type.empty() || type[0] < 'A' || type[0] > 'Z') return {};
  return {type, id};
}

// Calls f(key, value) for each member of `e` when it is an object: one pass
// comparing keys with literals, where a lookup per wanted field would scan
// the object again each time.
template <class F>
void for_each_member(element e, F&& f) {
  simdjson::dom::object o;
  if (e.get(o)) return;
  for (auto [key, value] : o) f(key, value);
}

// What the mapping needs of an agent, read in one pass.
struct Agent {
  std::string_view identifier, identifier_system, alt_id, reference, display, role, type, address, network_type;
  bool requestor = false;

  explicit Agent(element a) {
    for_each_member(a, [&](std::string_view k, element v) {
      if (k == "who") {
        for_each_member(v, [&](std::string_view wk, element wv) {
          if (wk == "reference") {
            reference = text(wv);
          } else if (wk == "display") {
            display = text(wv);
          } else if (wk == "identifier") {
            identifier = text(wv["value"sv]);
            identifier_system = text(wv["system"sv]);
          }
        });
      } else if (k == "altId") {
        alt_id = text(v);
      } else if (k == "requestor") {
        bool flag = false;
        requestor = !v.get(flag) && flag;
      } else if (k == "role") {
        role = text(v.at(0)["coding"sv].at(0)["code"sv]);
        if (role.empty()) role = text(v.at(0)["text"sv]);
      } else if (k == "type") {
        type = text(v["coding"sv].at(0)["code"sv]);
      } else if (k == "network") {
        address = text(v["address"sv]);
        network_type = text(v["type"sv]);
      }
    });
  }

  // A Device reference or an identifier whose system ends in "device".
  std::string_view device() const {
    auto [kind, id] = split_reference(reference);
    if (kind == "Device") return id;
    bool system = identifier_system.size() >= 6 &&
                  ascii_lowercase(identifier_system.substr(identifier_system.size() - 6)) == "device";
    return system ? identifier : std::string_view();
  }
  std::string_view user() const {
    for (std::string_view s : {identifier, alt_id, reference, display})
      if (!s.empty()) return s;
    return {};
  }
};

// The AuditEvent's fields as an access event; a message when it has none.
std::string map_audit_event(element r, const PatientKey& key, AccessEvent& e) {
  std::string_view recorded, action, outcome;
  Found agents = missing(), source = missing(), entities = missing();
  for_each_member(r, [&](std::string_view k, element v) {
    if (k == "recorded")
      recorded = text(v);
    else if (k == "action")
      action = text(v);
    else if (k == "outcome")
      outcome = text(v);
    else if (k == "agent")
      agents = std::move(v);
    else if (k == "source")
      source = std::move(v);
    else if (k == "entity")
      entities = std::move(v);
  });
  if (recorded.empty()) return std::string("no 'recorded' time: ") + std::string(kValid);
  auto time = parse_rfc3339(recorded);
  if (!time) return "'recorded' is not an RFC 3339 time (" + quote(recorded) + ", e.g. 2026-01-05T10:00:00Z)";
  e.time = *time;
  e.action = action.empty() ? "read" : action_name(action);
  if (e.action.empty()) return "'action' is " + quote(action) + ": expected C, R, U, D or E";
  e.outcome = outcome.empty() ? "success" : outcome_name(outcome);
  if (e.outcome.empty()) return "'outcome' is " + quote(outcome) + ": expected 0, 4, 8 or 12";

  // The requestor, else the first agent that is not a device.
  std::optional<Agent> requestor, first_person;
  simdjson::dom::array list;
  if (!agents.get(list)) {
    for (element a : list) {
      Agent agent(a);
      std::string_view device = agent.device();
      if (!device.empty() && e.device.empty()) e.device = device;
      if (device.empty() && !first_person) first_person = agent;
      if (agent.requestor && !requestor) requestor = agent;
    }
  }
  if (!requestor) requestor = first_person;
  if (requestor) {
    e.user = requestor->user();
    e.role = requestor->role.empty() ? requestor->type : requestor->role;
    // Network type 1 is a machine name: the device, not an address.
    if (requestor->network_type != "1")
      e.source_ip = requestor->address;
    else if (e.device.empty())
      e.device = requestor->address;
  }
  if (e.user.empty()) return std::string("no user: no agent names who acted; ") + std::string(kValid);
  for (auto name :
       {source["observer"sv]["display"sv], source["observer"sv]["identifier"sv]["value"sv], source["site"sv]})
    if (e.application.empty()) e.application = text(name);

  if (!entities.get(list)) {
    for (element en : list) {
      std::string_view reference, identifier, what_type, type_code, role_code;
      for_each_member(en, [&](std::string_view k, element v) {
        if (k == "what") {
          reference = text(v["reference"sv]);
          identifier = text(v["identifier"sv]["value"sv]);
          what_type = text(v["type"sv]);
        } else if (k == "type") {
          type_code = text(v["code"sv]);
        } else if (k == "role") {
          role_code = text(v["code"sv]);
        }
      });
      auto [type, id] = split_reference(reference);
      if (e.patient.empty() && type == "Patient") {
        e.patient = key.hash(id);
      } else if (e.patient.empty() && type.empty() && !identifier.empty() && type_code == "1" && role_code == "1") {
        e.patient = key.hash(identifier);
      } else if (e.resource_type.empty()) {
        // R4 References may name the type alone, as this module's writer does.
        e.resource_type = type.empty() ? what_type : type;
      }
    }
  }
  if (e.resource_type.empty() && !e.patient.empty()) e.resource_type = "Patient";
  return {};
}

// ------------------------------------------------------------------ reader

// Why a resource is not an access event; empty when `e` now holds it.
std::string read_resource(element r, const PatientKey& key, AccessEvent& e) {
  std::string_view type = text(r["resourceType"sv]);
  if (type == "AuditEvent") return map_audit_event(r, key, e);
  std::string what = type.empty() ? "has no resourceType" : "is a " + quote(type) + " resource";
  if (type == "OperationOutcome") what += " (" + quote(text(r["issue"sv].at(0)["diagnostics"sv])) + ")";
  return "not an AuditEvent: it " + what + "; only AuditEvent resources record accesses";
}

std::string read_entry(element entry, const PatientKey& key, AccessEvent& e) {
  element resource;
  if (entry["resource"sv].get(resource) || !resource.is_object())
    return "no 'resource': each entry holds one AuditEvent in entry.resource";
  return read_resource(resource, key, e);
}

// Calls f(begin, end) for each element of the Bundle's entry array (end is
// npos when the text ends inside it, begin when there is no value) until f
// returns false. Returns where the Bundle ends; npos when it is cut off or
// malformed.
template <class F>
size_t walk_entries(std::string_view t, F&& f) {
  MemberWalk walk(t, 0);
  for (Member m; walk.next(m);) {
    if (m.key != "entry" || t[m.value] != '[') {
      walk.after(value_end(t, m.value));
      continue;
    }
    size_t pos = skip_space(t, m.value + 1);
    while (pos != npos && t[pos] != ']') {
      size_t end = value_end(t, pos);
      if (!f(pos, end)) return npos;
      pos = skip_space(t, end);
      if (pos != npos && t[pos] == ',') pos = skip_space(t, pos + 1);
    }
    walk.after(pos == npos ? npos : pos + 1);
  }
  return walk.end();
}

// resourceType is usually the first member, so this rarely looks further.
bool is_bundle(std::string_view t) {
  MemberWalk walk(t, 0);
  for (Member m; walk.next(m);) {
    if (m.key == "resourceType") return t.substr(m.value).starts_with("\"Bundle\"");
    walk.after(value_end(t, m.value));
  }
  return false;
}

class FhirReader {
 public:
  FhirReader(std::string_view text, ParseSink& sink) : text_(text), sink_(sink) {}

  void run() {
    size_t first = skip_space(text_, 0);
    if (first == npos) return;
    if (ndjson(first)) {
      read_lines();
      return;
    }
    size_t line = 1 + count_newlines(text_, 0, first);
    // The usual document input, one well-formed resource or Bundle, is
    // parsed in one go; anything else is taken apart by the scanner.
    element doc;
    if (text_.size() - first <= kWholeDocument && !parser_.parse(text_.data() + first, text_.size() - first).get(doc)) {
      if (text(doc["resourceType"sv]) == "Bundle") {
        bundle(doc, text_.substr(first), line);
      } else {
        AccessEvent e;
        finish(sink_.next_record(), line, "", read_resource(doc, sink_.key(), e), e);
      }
      return;
    }
    for (size_t pos = first, counted = first; pos != npos;) {
      line += count_newlines(text_, counted, pos);
      counted = pos;
      size_t end = document(text_.substr(pos), line);
      if (end == npos) return;
      pos = skip_space(text_, pos + end);
    }
  }

 private:
  // Beyond this a document is read entry by entry, rather than held whole.
  static constexpr size_t kWholeDocument = 64u << 20;

  // NDJSON when the first line holds a whole object and more follows, or
  // when the first line is broken but the next one holds a whole object; a
  // pretty-printed document opens with a line that is not a whole object
  // and continues with one that is not either.
  bool ndjson(size_t first) const {
    auto whole_object = [&](size_t begin) {
      size_t nl = text_.find('\n', begin);
      std::string_view line = text_.substr(begin, nl == npos ? npos : nl - begin);
      while (!line.empty() && json_space(line.back())) line.remove_suffix(1);
      return !line.empty() && line[0] == '{' && value_end(line, 0) == line.size();
    };
    size_t nl = text_.find('\n', first);
    size_t next = nl == npos ? npos : skip_space(text_, nl);
    return next != npos && (whole_object(first) || whole_object(next));
  }

  void read_lines() {
    size_t line = 0;
    for (size_t pos = 0; pos < text_.size();) {
      size_t nl = text_.find('\n', pos);
      std::string_view row = text_.substr(pos, nl == npos ? npos : nl - pos);
      ++line;
      pos = nl == npos ? text_.size() : nl + 1;
      size_t begin = skip_space(row, 0);
      if (begin != npos) document(row.substr(begin), line, true);
    }
  }

  // Reads the document at the start of `t` (its first line is `line`), or
  // all of `t` when it is one NDJSON line; returns where the document ends,
  // npos when that is unknown (cut off, or not even an object).
  size_t document(std::string_view t, size_t line, bool whole = false) {
    if (t[0] != '{') {
      sink_.problem(sink_.next_record(), line,
                    "not a FHIR resource: expected a JSON object ('{') with resourceType AuditEvent or Bundle");
      return npos;
    }
    if (is_bundle(t)) return bundle(t, line);
    size_t record = sink_.next_record();
    size_t end = whole ? t.size() : value_end(t, 0);
    element doc;
    if (auto err = parser_.parse(t.data(), end == npos ? t.size() : end).get(doc)) {
      sink_.problem(record, line,
                    std::string("not valid JSON (") + simdjson::error_message(err) +
                        (end == npos ? "; it is cut off)" : ")") + ": " + std::string(kValid));
      return end;
    }
    AccessEvent e;
    finish(record, line, "", read_resource(doc, sink_.key(), e), e);
    return end;
  }

  // A Bundle parsed whole: entry lines are only looked for when a problem needs one.
  void bundle(element doc, std::string_view t, size_t line) {
    simdjson::dom::array entries;
    if (doc["entry"sv].get(entries)) return;
    std::vector<size_t> lines;
    size_t n = 0;
    for (element entry : entries) {
      size_t record = sink_.next_record();
      ++n;
      AccessEvent e;
      std::string error = read_entry(entry, sink_.key(), e);
      if (error.empty()) error = sink_.deliver(e);
      if (error.empty()) continue;
      if (lines.empty()) {
        size_t counted = 0, at = line;
        walk_entries(t, [&](size_t begin, size_t end) {
          at += count_newlines(t, counted, begin);
          counted = begin;
          lines.push_back(at);
          return end != npos && end != begin;
        });
      }
      sink_.problem(record, n <= lines.size() ? lines[n - 1] : line,
                    "Bundle entry " + std::to_string(n) + ": " + error);
    }
  }

  // A Bundle read entry by entry, so one that is cut off or broken still
  // gives the entries before (and around) the damage.
  size_t bundle(std::string_view t, size_t line) {
    size_t n = 0, counted = 0;
    bool reported = false;
    size_t end = walk_entries(t, [&](size_t begin, size_t end) {
      line += count_newlines(t, counted, begin);
      counted = begin;
      size_t record = sink_.next_record();
      std::string name = "Bundle entry " + std::to_string(++n);
      if (end == npos || end == begin) {
        sink_.problem(
            record, line,
            name + (end == npos ? " is cut off: the input ends inside it" : " is missing: expected an object"));
        reported = true;
        return false;
      }
      element doc;
      AccessEvent e;
      if (auto err = parser_.parse(t.data() + begin, end - begin).get(doc))
        finish(record, line, name + ": ", std::string("not valid JSON (") + simdjson::error_message(err) + ")", e);
      else
        finish(record, line, name + ": ", read_entry(doc, sink_.key(), e), e);
      return true;
    });
    if (end == npos && !reported)
      sink_.problem(sink_.next_record(), line + count_newlines(t, counted, t.size()),
                    "the Bundle is cut off or malformed after its last readable entry");
    return end;
  }

  // Delivers `e`, or reports `error` (or why the sink refused it).
  void finish(size_t record, size_t line, const std::string& where, std::string error, AccessEvent& e) {
    if (error.empty()) error = sink_.deliver(e);
    if (!error.empty()) sink_.problem(record, line, where + error);
  }

  std::string_view text_;
  ParseSink& sink_;
  simdjson::dom::parser parser_;
};

}  // namespace

bool has_resource_type(std::string_view text) {
  text = text.substr(0, 4096);
  MemberWalk walk(text, 0);
  for (Member m; walk.next(m);) {
    if (m.key == "resourceType") return true;
    walk.after(value_end(text, m.value));
  }
  return false;
}

void parse_fhir(std::string_view text, ParseSink& sink) { FhirReader(text, sink).run(); }

}  // namespace wardline::ehr
