// The organisation profile: our domains, apps, VIPs, staff directory and
// authorised phishing simulations.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/csv.h"
#include "core/strings.h"
#include "smish/rules_yaml.h"
#include "smish/smish.h"
#include "smish/tokens.h"

namespace wardline::smish {
namespace {

// '*' matches any run of characters (none included); everything else literally.
bool glob_match(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p, ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// Senders compare as E.164 numbers when they are numbers, else as lower-case sender IDs.
std::string sender_key(std::string_view sender, const std::string& country) {
  std::string s = ascii_lowercase(sender);
  if (s.find_first_of("abcdefghijklmnopqrstuvwxyz") == std::string::npos)
    if (auto e164 = to_e164(sender, country)) return *e164;
  return s;
}

bool url_in_simulation(const Simulation& sim, const std::string& url) {
  Link link;
  if (!parse_link(url, link)) return false;
  std::string reg = registrable_domain(link.host);
  if (std::find(sim.domains.begin(), sim.domains.end(), reg) != sim.domains.end()) return true;
  std::string low = ascii_lowercase(url);
  return std::any_of(sim.url_patterns.begin(), sim.url_patterns.end(), [&](const auto& p) { return glob_match(p, low); });
}

Result<std::vector<Simulation>> load_simulations(const YAML::Node& n, const std::string& path, const std::string& country) {
  if (!n.IsSequence()) return rule_error(path, n.Mark(), "'simulations' must be a list of {name, senders, domains, url_patterns}");
  std::vector<Simulation> out;
  for (const auto& s : n) {
    if (!s.IsMap() || !s["name"] || !s["name"].IsScalar())
      return rule_error(path, s.Mark(), "a simulation needs a 'name' and at least one of senders, domains, url_patterns");
    Simulation sim{s["name"].Scalar(), {}, {}, {}};
    for (const char* key : {"senders", "domains", "url_patterns"}) {
      if (!s[key]) continue;
      auto list = strings(s[key], path, key, true);
      if (!list) return list.error();
      auto& dest = std::string(key) == "senders" ? sim.senders : std::string(key) == "domains" ? sim.domains : sim.url_patterns;
      dest = *list;
    }
    for (auto& sender : sim.senders) sender = sender_key(sender, country);
    if (sim.senders.empty() && sim.domains.empty() && sim.url_patterns.empty())
      return rule_error(path, s.Mark(), "simulation '" + sim.name + "' needs at least one of senders, domains, url_patterns");
    out.push_back(std::move(sim));
  }
  return out;
}

}  // namespace

const StaffMember* Organization::staff_by_phone(const std::string& e164) const {
  // `staff` is sorted by phone (load_staff_directory).
  auto it = std::lower_bound(staff.begin(), staff.end(), e164, [](const StaffMember& m, const std::string& p) { return m.phone < p; });
  return it != staff.end() && it->phone == e164 && !e164.empty() ? &*it : nullptr;
}

const Simulation* Organization::simulation_of(std::string_view sender, const std::vector<std::string>& urls) const {
  for (const auto& sim : simulations) {
    if (!urls.empty()) {
      if (std::all_of(urls.begin(), urls.end(), [&](const auto& u) { return url_in_simulation(sim, u); })) return &sim;
      continue;
    }
    std::string key = sender_key(sender, country);
    if (!key.empty() && std::find(sim.senders.begin(), sim.senders.end(), key) != sim.senders.end()) return &sim;
  }
  return nullptr;
}

Result<std::vector<StaffMember>> load_staff_directory(const std::string& csv_path, const std::string& country) {
  std::ifstream in(csv_path, std::ios::binary);
  if (!in) return make_error("invalid_directory", "cannot read staff directory '" + csv_path + "'");
  std::stringstream buf;
  buf << in.rdbuf();
  auto table = parse_csv(buf.str(), csv_path);
  if (!table) return make_error("invalid_directory", table.error().message);
  for (const char* required : {"name", "phone", "department", "role"})
    if (table->column(required) < 0)
      return make_error("invalid_directory", csv_path + ":1: the header has no '" + std::string(required) +
                                                 "' column (needed: name, phone, department, role; optional: id, email)");
  auto field = [&](const CsvRecord& r, const char* name) {
    int c = table->column(name);
    return c < 0 ? std::string() : r.fields[static_cast<size_t>(c)];
  };
  std::vector<StaffMember> staff;
  for (const auto& r : table->records) {
    StaffMember m{field(r, "id"), field(r, "name"), "", field(r, "department"), field(r, "role"), field(r, "email")};
    std::string phone = field(r, "phone");
    if (m.name.empty()) return make_error("invalid_directory", csv_path + ":" + std::to_string(r.line) + ": 'name' is empty");
    if (!phone.empty()) {
      auto e164 = to_e164(phone, country);
      if (!e164)
        return make_error("invalid_directory", csv_path + ":" + std::to_string(r.line) + ": '" + phone +
                                                   "' is not a phone number (write it as +CC NUMBER, or set organization.country)");
      m.phone = *e164;
    }
    staff.push_back(std::move(m));
  }
  std::stable_sort(staff.begin(), staff.end(), [](const auto& a, const auto& b) { return a.phone < b.phone; });
  for (size_t i = 1; i < staff.size(); ++i)
    if (!staff[i].phone.empty() && staff[i].phone == staff[i - 1].phone)
      return make_error("invalid_directory", csv_path + ": " + staff[i - 1].name + " and " + staff[i].name +
                                                 " share the phone number " + staff[i].phone + "; reports could not be attributed");
  return staff;
}

Result<Organization> load_organization(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return rule_error(path, e.mark, "YAML syntax error: " + e.msg);
  }
  Organization org;
  const YAML::Node o = root["organization"];
  if (!o || !o.IsMap()) return rule_error(path, root.Mark(), "expected an 'organization' mapping with name and domains");
  for (const auto& kv : o) {
    std::string key = kv.first.as<std::string>();
    if (key != "name" && key != "domains" && key != "apps" && key != "country" && key != "directory")
      return rule_error(path, kv.first.Mark(), "unknown key 'organization." + key + "' (expected name, domains, apps, country, directory)");
  }
  org.name = o["name"] ? o["name"].as<std::string>() : "";
  if (o["domains"]) {
    auto d = strings(o["domains"], path, "domains", true);
    if (!d) return d.error();
    org.domains = *d;
  }
  if (o["apps"]) {
    auto a = strings(o["apps"], path, "apps", true);
    if (!a) return a.error();
    org.apps = *a;
  }
  if (o["country"]) {
    org.country = o["country"].as<std::string>();
    if (org.country.size() != 2 || !std::all_of(org.country.begin(), org.country.end(), ::isupper))
      return rule_error(path, o["country"].Mark(), "'country' must be a two-letter ISO 3166 code such as US or GB");
  }
  if (o["directory"]) {
    std::filesystem::path csv = o["directory"].as<std::string>();
    if (csv.is_relative()) csv = std::filesystem::path(path).parent_path() / csv;
    auto staff = load_staff_directory(csv.string(), org.country);
    if (!staff) return staff.error();
    org.staff = std::move(*staff);
  }
  if (const YAML::Node v = root["vips"]) {
    if (!v.IsSequence()) return rule_error(path, v.Mark(), "'vips' must be a list of {name, title}");
    for (const auto& p : v)
      if (p.IsMap() && p["name"]) org.vips.push_back(p["name"].as<std::string>());
  }
  if (const YAML::Node s = root["simulations"]) {
    auto sims = load_simulations(s, path, org.country);
    if (!sims) return sims.error();
    org.simulations = std::move(*sims);
  }
  return org;
}

}  // namespace wardline::smish
