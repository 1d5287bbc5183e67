#include "siem/sinks.h"

namespace wardline::siem {

Result<std::unique_ptr<Sink>> make_sink(const SinkConfig& c) {
  if (c.type == "jsonl") return std::unique_ptr<Sink>(std::make_unique<JsonlSink>(c));
  if (c.type == "syslog") return std::unique_ptr<Sink>(std::make_unique<SyslogSink>(c));
  return make_error("invalid_sink", "sink '" + c.name + "' has unknown type '" + c.type +
                                        "'; use jsonl or syslog", "siem.sinks");
}

}  // namespace wardline::siem
