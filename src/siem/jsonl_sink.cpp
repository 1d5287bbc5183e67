// JSON-lines file sink with size-based rotation: events.jsonl, events.jsonl.1, ...
#include <cstdio>
#include <filesystem>

#include "siem/sinks.h"

namespace wardline::siem {
namespace fs = std::filesystem;

JsonlSink::JsonlSink(const SinkConfig& c) : config_(c) {}
JsonlSink::~JsonlSink() { close(); }

void JsonlSink::close() {
  if (file_) std::fclose(file_);
  file_ = nullptr;
}

Status JsonlSink::open() {
  std::error_code ec;
  auto parent = fs::path(config_.path).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  file_ = std::fopen(config_.path.c_str(), "a");
  if (!file_) return make_error("sink_unavailable", "cannot open '" + config_.path + "' for appending");
  size_ = fs::file_size(config_.path, ec);
  return {};
}

Status JsonlSink::rotate() {
  close();
  std::error_code ec;
  auto numbered = [&](int i) { return config_.path + "." + std::to_string(i); };
  fs::remove(numbered(config_.max_files - 1), ec);
  for (int i = config_.max_files - 2; i >= 1; --i)
    if (fs::exists(numbered(i), ec)) fs::rename(numbered(i), numbered(i + 1), ec);
  if (config_.max_files > 1) fs::rename(config_.path, numbered(1), ec);
  else fs::remove(config_.path, ec);
  return open();
}

Status JsonlSink::write(const SecurityEvent& e) {
  if (!file_)
    if (Status s = open(); !s) return s;
  std::string line = to_json_line(e) + "\n";
  if (size_ > 0 && size_ + line.size() > config_.max_bytes)
    if (Status s = rotate(); !s) return s;
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size()) {
    close();
    return make_error("sink_write_failed", "cannot write to '" + config_.path + "' (disk full?)");
  }
  size_ += line.size();
  return {};
}

Status JsonlSink::flush() {
  if (file_ && std::fflush(file_) != 0)
    return make_error("sink_write_failed", "cannot flush '" + config_.path + "'");
  return {};
}

}  // namespace wardline::siem
