// What the three audit-record readers share: one sink for events and
// problems, and the small code mappings every format needs.
#pragma once

#include <array>
#include <cstdint>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "ehr/ehr.h"

namespace wardline::ehr {

// Where a reader's findings go: events are checked, normalised and handed
// on; problems are kept up to the cap and counted past it.
class ParseSink {
 public:
  ParseSink(const PatientKey& key, const EventCallback& on_event, std::vector<ParseProblem>* problems,
            size_t max_problems)
      : key_(key), on_event_(on_event), problems_(problems), max_problems_(max_problems) {}

  const PatientKey& key() const { return key_; }
  // Counts one more record (good or bad) and returns its number, from 1.
  size_t next_record() { return ++stats_.records; }
  // Lower-cases the application, bounds field sizes and delivers `e`; else
  // says why not, for the reader to report with the record and its line.
  std::string deliver(AccessEvent& e);
  void problem(size_t record, size_t line, std::string message);
  const ParseStats& stats() const { return stats_; }

 private:
  const PatientKey& key_;
  const EventCallback& on_event_;
  std::vector<ParseProblem>* problems_;
  size_t max_problems_;
  ParseStats stats_;
};

// The event's free-text fields with their record names, for the readers
// that fill them by name and for the size check every event passes.
inline std::array<std::pair<const char*, std::string*>, 7> text_fields(AccessEvent& e) {
  return {{{"user", &e.user},
           {"role", &e.role},
           {"department", &e.department},
           {"application", &e.application},
           {"device", &e.device},
           {"source_ip", &e.source_ip},
           {"resource_type", &e.resource_type}}};
}

// Access events happen between 1970 and 2199 (2199-12-31T23:59:59Z):
// anything else is a broken clock or field.
constexpr int64_t kLatestTime = 7258118399;

// "C" / "create" (any case) -> "create", and so on for R U D E; empty when neither.
std::string_view action_name(std::string_view code);
// Outcome codes of FHIR and ATNA: "0" success; "4", "8", "12" failure; empty when neither.
std::string_view outcome_name(std::string_view code);
// `value` in quotes for a problem message, cut after 64 bytes (at a
// character boundary: messages end up in JSON, which needs valid UTF-8).
std::string quote(std::string_view value);
// The text with a leading UTF-8 byte-order mark removed.
std::string_view skip_bom(std::string_view text);
// Newlines in [from, to): advances a 1-based line number over skipped input.
size_t count_newlines(std::string_view text, size_t from, size_t to);

// Whether the JSON object opening `text` has a resourceType member among
// those in its first 4 KB: what tells a FHIR resource from a JSON line.
bool has_resource_type(std::string_view text);

void parse_fhir(std::string_view text, ParseSink& sink);
void parse_atna(std::string_view text, ParseSink& sink);
void parse_jsonl(std::string_view text, ParseSink& sink);

}  // namespace wardline::ehr
