// Internal: request counters and latency histograms, rendered in the
// Prometheus text exposition format together with SIEM sink gauges.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "siem/siem.h"

namespace wardline::api {

class Metrics {
 public:
  void observe(const std::string& route, const std::string& method, int status, double seconds);
  std::string render(const std::vector<siem::SinkStats>& sinks) const;

 private:
  struct Histogram {
    std::vector<uint64_t> buckets;  // cumulative counts per upper bound
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;
  std::map<std::pair<std::string, std::string>, Histogram> latency_;
};

}  // namespace wardline::api
