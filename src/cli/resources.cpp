#include "cli/resources.h"

#include <cstdlib>
#include <filesystem>

namespace wardline::cli {

std::string resource_path(const std::string& name) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (const char* share = std::getenv("WARDLINE_SHARE"))
    if (fs::exists(fs::path(share) / name, ec)) return (fs::path(share) / name).string();
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec)
    for (fs::path dir = exe.parent_path(); !dir.empty() && dir != dir.root_path(); dir = dir.parent_path())
      if (fs::exists(dir / name, ec) && fs::exists(dir / "rules", ec)) return (dir / name).string();
  return name;
}

}  // namespace wardline::cli
