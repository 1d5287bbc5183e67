// A progress indicator for long-running commands: a bar when stderr is a
// terminal, silent otherwise (logs and CI stay clean).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace wardline::cli {

class Progress {
 public:
  Progress(std::string label, uint64_t total);
  ~Progress();
  void advance(uint64_t n = 1);
  void finish();

 private:
  void draw(bool force);
  std::string label_;
  uint64_t total_, done_ = 0;
  bool tty_, finished_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace wardline::cli
