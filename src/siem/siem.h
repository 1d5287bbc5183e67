// The security-event bus and its sinks (SIEM output).
//
// Every security-relevant action publishes a SecurityEvent. The bus hands it
// to each configured sink through that sink's own bounded queue and worker
// thread: a slow or dead sink never blocks the caller; when its queue is full
// the event is dropped for that sink and counted.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/result.h"

namespace wardline::siem {

struct SecurityEvent {
  std::string id;        // evt_...
  std::string time;      // RFC 3339 UTC
  std::string type;      // e.g. "auth.attempt"
  std::string severity = "info";  // debug, info, notice, warning, error, critical
  std::string actor;     // who did it (user name, "anonymous", "system")
  std::string subject;   // what it was done to
  std::string source_ip;
  std::string outcome;   // "success" | "failure"
  std::map<std::string, std::string> details;
};
// Fills id and time.
SecurityEvent make_event(std::string type, std::string outcome);

std::string to_json_line(const SecurityEvent& e);          // one line, no newline
std::string to_rfc5424(const SecurityEvent& e, const std::string& hostname,
                       const std::string& app_name, bool cef_payload);
std::string to_cef(const SecurityEvent& e);
int syslog_severity(const std::string& severity);          // RFC 5424 numeric severity

class Sink {
 public:
  virtual ~Sink() = default;
  virtual std::string name() const = 0;
  // Delivers one event; an error means "not delivered, retry later", except
  // code "event_rejected": this event can never be delivered (drop it).
  virtual Status write(const SecurityEvent& e) = 0;
  virtual Status flush() { return {}; }
};

Result<std::unique_ptr<Sink>> make_sink(const SinkConfig& config);

struct SinkStats {
  std::string name;
  size_t queue_depth = 0;
  uint64_t delivered = 0;
  uint64_t dropped = 0;
  uint64_t failures = 0;
};

class EventBus {
 public:
  EventBus();
  ~EventBus();  // flushes (see shutdown)
  EventBus(const EventBus&) = delete;
  EventBus& operator=(const EventBus&) = delete;

  void add_sink(std::unique_ptr<Sink> sink, size_t queue_size);
  void publish(const SecurityEvent& e);
  std::vector<SinkStats> stats() const;
  // Delivers what is queued (giving each sink up to `grace_ms` to do so),
  // then stops the workers. Idempotent.
  void shutdown(int grace_ms = 5000);

 private:
  struct Worker;
  std::vector<std::unique_ptr<Worker>> workers_;
};

// Builds a bus with every sink in the config.
Result<std::unique_ptr<EventBus>> make_event_bus(const std::vector<SinkConfig>& sinks);

}  // namespace wardline::siem
