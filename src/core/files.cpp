#include "core/files.h"

#include <filesystem>
#include <fstream>
#include <iterator>

namespace wardline {

Result<std::string> read_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("unreadable", "cannot read " + what + " '" + path + "'");
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

Result<std::string> read_secret_file(const std::string& path, const std::string& what) {
  auto s = read_file(path, what);
  if (!s) return make_error(s.error().code, s.error().message + ": check that it exists and the Wardline service can read it");
  while (!s->empty() && (s->back() == '\n' || s->back() == '\r')) s->pop_back();
  if (s->empty()) return make_error("unreadable", what + " '" + path + "' is empty: put the secret in it");
  return s;
}

Status write_file_atomically(const std::string& path, std::string_view data) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f.write(data.data(), static_cast<std::streamsize>(data.size()));
    f.flush();
    if (!f.good()) return make_error("write_failed", "cannot write '" + tmp + "' (disk full or no permission?)");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return make_error("write_failed", "cannot replace '" + path + "': " + ec.message());
  return Status::Ok();
}

}  // namespace wardline
