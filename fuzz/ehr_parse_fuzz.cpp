// Any bytes as one EHR audit input (WARDLINE_EHR_FORMAT: fhir, atna, jsonl),
// as `wardline ehr ingest --format` reads it. Beyond not crashing: every
// record is an event or a problem, events carry a user and only hashed
// patients, and each event written back in its format reads back the same.
// One source, one target per format.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ehr/ehr.h"

namespace {

using namespace wardline::ehr;

const PatientKey& key() {
  static const PatientKey k("fuzz key");
  return k;
}

bool hashed(const std::string& patient) {
  return patient.empty() ||
         (patient.size() == 32 && patient.find_first_not_of("0123456789abcdef") == std::string::npos);
}

bool same(const AccessEvent& a, const AccessEvent& b, bool everything) {
  return a.time == b.time && a.user == b.user && a.role == b.role && a.application == b.application &&
         a.device == b.device && a.source_ip == b.source_ip && a.patient == b.patient &&
         a.resource_type == b.resource_type && a.action == b.action && a.outcome == b.outcome &&
         (!everything || (a.department == b.department && a.position == b.position));
}

// The event written in `format` and read back. FHIR and ATNA are written
// with a clear id standing for the hashed patient; JSON lines keep the hash.
void round_trip(const AccessEvent& e, Format format) {
  // ATNA falls back to the EventID's text for a resource type, so an event without one reads back with that.
  if (format == Format::atna && e.resource_type.empty()) return;
  AccessEvent want = e;
  std::string line;
  if (format == Format::jsonl) {
    line = to_jsonl(e, "");
  } else {
    std::string id = e.patient.empty() ? "" : "MRN-1";
    line = format == Format::fhir ? to_fhir_json(e, id) : to_atna_xml(e, id);
    want.patient = id.empty() ? "" : key().hash(id);
  }
  std::vector<AccessEvent> got;
  parse_events(line, format, key(), [&](const AccessEvent& g) { got.push_back(g); });
  if (got.size() != 1 || !same(want, got[0], format == Format::jsonl)) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 100000) return 0;
  Format format = *parse_format(WARDLINE_EHR_FORMAT);
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)sniff_format(text);
  std::vector<ParseProblem> problems;
  ParseStats stats = parse_events(
      text, format, key(),
      [&](const AccessEvent& e) {
        if (e.user.empty() || !hashed(e.patient)) __builtin_trap();
        round_trip(e, format);
      },
      &problems, 10);
  if (stats.records != stats.events + stats.problems || problems.size() != std::min<size_t>(stats.problems, 10))
    __builtin_trap();
  for (const ParseProblem& p : problems)
    if (p.record == 0 || p.record > stats.records || p.line == 0 || p.message.empty()) __builtin_trap();
  return 0;
}
