#include "api/metrics.h"

#include <fmt/format.h>

namespace wardline::api {
namespace {
const std::vector<double> kBounds = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

std::string label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') { out += "\\n"; continue; }
    out.push_back(c);
  }
  return out;
}
}  // namespace

void Metrics::observe(const std::string& route, const std::string& method, int status, double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[{route, method, status}];
  auto& h = latency_[{route, method}];
  if (h.buckets.empty()) h.buckets.resize(kBounds.size(), 0);
  for (size_t i = 0; i < kBounds.size(); ++i)
    if (seconds <= kBounds[i]) ++h.buckets[i];
  ++h.count;
  h.sum += seconds;
}

std::string Metrics::render(const std::vector<siem::SinkStats>& sinks) const {
  std::string out;
  std::lock_guard lock(mu_);
  out += "# HELP wardline_http_requests_total HTTP requests by route, method and status.\n";
  out += "# TYPE wardline_http_requests_total counter\n";
  for (const auto& [k, n] : requests_)
    out += fmt::format("wardline_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n",
                       label(std::get<0>(k)), std::get<1>(k), std::get<2>(k), n);
  out += "# HELP wardline_http_request_duration_seconds HTTP request latency by route.\n";
  out += "# TYPE wardline_http_request_duration_seconds histogram\n";
  for (const auto& [k, h] : latency_) {
    std::string labels = fmt::format("route=\"{}\",method=\"{}\"", label(k.first), k.second);
    for (size_t i = 0; i < kBounds.size(); ++i)
      out += fmt::format("wardline_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n", labels, kBounds[i], h.buckets[i]);
    out += fmt::format("wardline_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n", labels, h.count);
    out += fmt::format("wardline_http_request_duration_seconds_sum{{{}}} {}\n", labels, h.sum);
    out += fmt::format("wardline_http_request_duration_seconds_count{{{}}} {}\n", labels, h.count);
  }
  out += "# HELP wardline_siem_queue_depth Events waiting in each SIEM sink's queue.\n";
  out += "# TYPE wardline_siem_queue_depth gauge\n";
  for (const auto& s : sinks) out += fmt::format("wardline_siem_queue_depth{{sink=\"{}\"}} {}\n", label(s.name), s.queue_depth);
  out += "# HELP wardline_siem_events_dropped_total Events dropped because a sink's queue was full.\n";
  out += "# TYPE wardline_siem_events_dropped_total counter\n";
  for (const auto& s : sinks) out += fmt::format("wardline_siem_events_dropped_total{{sink=\"{}\"}} {}\n", label(s.name), s.dropped);
  out += "# HELP wardline_siem_events_delivered_total Events delivered by each sink.\n";
  out += "# TYPE wardline_siem_events_delivered_total counter\n";
  for (const auto& s : sinks) out += fmt::format("wardline_siem_events_delivered_total{{sink=\"{}\"}} {}\n", label(s.name), s.delivered);
  out += "# HELP wardline_siem_write_failures_total Failed delivery attempts (retried).\n";
  out += "# TYPE wardline_siem_write_failures_total counter\n";
  for (const auto& s : sinks) out += fmt::format("wardline_siem_write_failures_total{{sink=\"{}\"}} {}\n", label(s.name), s.failures);
  return out;
}

}  // namespace wardline::api
