// Staff with their role and groups, for least privilege: CSV
// (user,role,groups,department; groups separated by ';') or JSON.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "access/access.h"
#include "core/csv.h"
#include "core/files.h"

namespace wardline::access {
namespace {

std::vector<std::string> split_groups(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    size_t semi = text.find(';');
    std::string_view g = text.substr(0, semi);
    while (!g.empty() && g.front() == ' ') g.remove_prefix(1);
    while (!g.empty() && g.back() == ' ') g.remove_suffix(1);
    if (!g.empty()) out.emplace_back(g);
    if (semi == std::string_view::npos) break;
    text.remove_prefix(semi + 1);
  }
  return out;
}

Status check_unique(const std::vector<Person>& sorted, const std::string& where) {
  for (size_t i = 1; i < sorted.size(); ++i)
    if (sorted[i].user == sorted[i - 1].user)
      return make_error("invalid_directory", where + ": user '" + sorted[i].user + "' is listed twice");
  return {};
}

}  // namespace

Result<Directory> Directory::parse_csv(std::string_view text, const std::string& where) {
  auto table = wardline::parse_csv(text, where);
  if (!table) return table.error();
  int user = table->column("user"), role = table->column("role"), groups = table->column("groups"),
      department = table->column("department");
  if (user < 0 || role < 0) return make_error("invalid_directory", where + ": the header needs user and role (groups, department optional)");
  Directory d;
  for (const auto& r : table->records) {
    auto at = [&](int c) { return c >= 0 && static_cast<size_t>(c) < r.fields.size() ? r.fields[static_cast<size_t>(c)] : std::string(); };
    if (at(user).empty() || at(role).empty())
      return make_error("invalid_directory", where + ":" + std::to_string(r.line) + ": user and role must not be empty");
    d.people_.push_back({at(user), at(role), at(department), split_groups(at(groups))});
  }
  std::sort(d.people_.begin(), d.people_.end(), [](const Person& a, const Person& b) { return a.user < b.user; });
  if (Status s = check_unique(d.people_, where); !s) return s.error();
  return d;
}

Result<Directory> Directory::parse_json(std::string_view text, const std::string& where) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return make_error("invalid_directory", where + ": a JSON directory is an array of {user, role, groups, department}");
  Directory d;
  for (size_t i = 0; i < j.size(); ++i) {
    const auto& p = j[i];
    auto str = [&](const char* k) { return p.is_object() && p.contains(k) && p[k].is_string() ? p[k].get<std::string>() : std::string(); };
    if (str("user").empty() || str("role").empty())
      return make_error("invalid_directory", where + ": [" + std::to_string(i) + "] needs string user and role");
    Person person{str("user"), str("role"), str("department"), {}};
    if (p.contains("groups") && p["groups"].is_array())
      for (const auto& g : p["groups"])
        if (g.is_string()) person.groups.push_back(g.get<std::string>());
    d.people_.push_back(std::move(person));
  }
  std::sort(d.people_.begin(), d.people_.end(), [](const Person& a, const Person& b) { return a.user < b.user; });
  if (Status s = check_unique(d.people_, where); !s) return s.error();
  return d;
}

Result<Directory> Directory::load(const std::string& path) {
  auto text = read_file(path, "the staff directory");
  if (!text) return text.error();
  return path.ends_with(".json") ? parse_json(*text, path) : parse_csv(*text, path);
}

const Person* Directory::find(std::string_view user) const {
  auto it = std::lower_bound(people_.begin(), people_.end(), user, [](const Person& p, std::string_view u) { return p.user < u; });
  return it != people_.end() && it->user == user ? &*it : nullptr;
}

}  // namespace wardline::access
