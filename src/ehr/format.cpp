// Input formats: names, detection from the content, and parse_events(),
// which hands the input to the format's reader through one shared sink.
#include <algorithm>
#include <array>

#include "core/strings.h"
#include "ehr/parsers.h"

namespace wardline::ehr {
namespace {

constexpr std::array<std::string_view, 3> kNames = {"fhir", "atna", "jsonl"};
constexpr std::string_view kBom = "\xEF\xBB\xBF";
// Ids, names and addresses in audit records are short; anything longer is
// not one, and would bloat every baseline that keys on it.
constexpr size_t kMaxField = 512;

}  // namespace

std::string_view name_of(Format f) { return kNames[static_cast<size_t>(f)]; }

std::optional<Format> parse_format(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == name) return static_cast<Format>(i);
  return std::nullopt;
}

Format sniff_format(std::string_view text) {
  text = skip_bom(text);
  size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return Format::jsonl;
  if (text[start] == '<') return Format::atna;
  if (text[start] == '{' && has_resource_type(text.substr(start))) return Format::fhir;
  return Format::jsonl;
}

std::string quote(std::string_view value) {
  if (value.size() <= 64) return "'" + std::string(value) + "'";
  return "'" + std::string(utf8_prefix(value, 64)) + "...'";
}

std::string_view skip_bom(std::string_view text) { return text.starts_with(kBom) ? text.substr(kBom.size()) : text; }

size_t count_newlines(std::string_view text, size_t from, size_t to) {
  return static_cast<size_t>(std::count(text.begin() + from, text.begin() + to, '\n'));
}

std::string_view action_name(std::string_view code) {
  static constexpr std::string_view kActions[] = {"create", "read", "update", "delete", "execute"};
  for (std::string_view a : kActions) {
    if (code.size() == 1 && ascii_lower(code[0]) == a[0]) return a;
    if (code.size() == a.size() && ascii_lowercase(code) == a) return a;
  }
  return {};
}

std::string_view outcome_name(std::string_view code) {
  if (code == "0") return "success";
  if (code == "4" || code == "8" || code == "12") return "failure";
  return {};
}

std::string ParseSink::deliver(AccessEvent& e) {
  if (e.time < 0 || e.time > kLatestTime)
    return "the time is " + std::to_string(e.time) +
           " Unix seconds, not between 1970 and 2199: a broken clock or field";
  for (auto [name, value] : text_fields(e))
    if (value->size() > kMaxField)
      return std::string(name) + " is " + std::to_string(value->size()) + " bytes long: audit records name users, " +
             "devices and applications in at most " + std::to_string(kMaxField);
  for (char& c : e.application) c = ascii_lower(c);
  ++stats_.events;
  if (on_event_) on_event_(e);  // none: the caller only checks the input
  return {};
}

void ParseSink::problem(size_t record, size_t line, std::string message) {
  ++stats_.problems;
  if (problems_ && problems_->size() < max_problems_) problems_->push_back({record, line, std::move(message)});
}

ParseStats parse_events(std::string_view text, Format format, const PatientKey& key, const EventCallback& on_event,
                        std::vector<ParseProblem>* problems, size_t max_problems) {
  ParseSink sink(key, on_event, problems, max_problems);
  // ATNA allows a byte-order mark before each message, so its reader skips them itself.
  if (format == Format::fhir)
    parse_fhir(skip_bom(text), sink);
  else if (format == Format::atna)
    parse_atna(text, sink);
  else
    parse_jsonl(skip_bom(text), sink);
  return sink.stats();
}

}  // namespace wardline::ehr
