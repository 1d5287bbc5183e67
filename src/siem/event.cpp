#include <nlohmann/json.hpp>

#include "core/ids.h"
#include "core/time.h"
#include "siem/siem.h"

namespace wardline::siem {

SecurityEvent make_event(std::string type, std::string outcome) {
  SecurityEvent e;
  e.id = new_id("evt");
  e.time = now_rfc3339();
  e.type = std::move(type);
  e.outcome = std::move(outcome);
  return e;
}

std::string to_json_line(const SecurityEvent& e) {
  nlohmann::json j{{"id", e.id},           {"time", e.time},       {"type", e.type},
                   {"severity", e.severity}, {"actor", e.actor},   {"subject", e.subject},
                   {"source_ip", e.source_ip}, {"outcome", e.outcome}, {"details", e.details}};
  // Replace invalid UTF-8 rather than throw: an event is never lost to encoding.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

int syslog_severity(const std::string& s) {
  if (s == "critical") return 2;
  if (s == "error") return 3;
  if (s == "warning") return 4;
  if (s == "notice") return 5;
  if (s == "debug") return 7;
  return 6;
}

}  // namespace wardline::siem
