// Advisories from three sources (docs/patch-sla.md):
// - CISA's Known Exploited Vulnerabilities catalogue: exploitation is known,
//   so each entry is critical; it names no versions (NVD or local data do).
// - NVD CVE API 2.0: severity from CVSS, affected versions from CPE match
//   ranges of the products the policy maps to ours.
// - Local YAML: the hospital's own advisories in our product terms.
// A file that is not of its kind is an error; a bad record is a problem and
// is skipped.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/strings.h"
#include "posture/posture.h"

namespace wardline::posture {
namespace {

using nlohmann::json;

Error file_error(const std::string& file, const std::string& why) {
  return make_error("invalid_advisories", file + ": " + why);
}

// A string member, or empty when absent or not a string.
std::string text_of(const json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const json* array_of(const json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_array() ? &*it : nullptr;
}

Result<json> parse_json(std::string_view text, const std::string& file) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    if (auto cut = what.find("] "); cut != std::string::npos) what.erase(0, cut + 2);
    return file_error(file, "not valid JSON (" + what + "); export the file again");
  }
}

// ------------------------------------------------------------------ KEV

Result<AdvisoryBatch> parse_kev(std::string_view text, const std::string& file, const std::string& timezone) {
  auto root = parse_json(text, file);
  if (!root) return root.error();
  if (root->is_object() && text_of(*root, "format") == "NVD_CVE")
    return file_error(file, "this is an NVD CVE API response; import it with --source nvd");
  const json* list = root->is_object() ? array_of(*root, "vulnerabilities") : nullptr;
  if (!list)
    return file_error(file, "not a CISA KEV catalogue: expected an object with a 'vulnerabilities' list "
                            "(known_exploited_vulnerabilities.json from cisa.gov)");
  AdvisoryBatch batch;
  for (size_t i = 0; i < list->size(); ++i) {
    const json& v = (*list)[i];
    std::string where = file + ": vulnerabilities[" + std::to_string(i) + "]";
    std::string id = text_of(v, "cveID");
    if (id.empty()) {
      batch.problems.push_back({where, "no 'cveID'; every KEV entry names its CVE"});
      continue;
    }
    where += " (" + id + ")";
    auto added = parse_advisory_time(text_of(v, "dateAdded"), timezone);
    if (!added) {
      batch.problems.push_back({where, "'dateAdded': " + added.error().message});
      continue;
    }
    Advisory a;
    a.id = id;
    a.sources = {"kev"};
    a.severity = Severity::critical;
    a.known_exploited = true;
    a.published = *added;
    a.title = text_of(v, "vulnerabilityName");
    batch.advisories.push_back(std::move(a));
  }
  return batch;
}

// ------------------------------------------------------------------ NVD

// The fields of a CPE 2.3 formatted string we use, unescaped ("\:" is a
// colon inside a value, "\\" a backslash). `version` is empty for any
// version ("*") and not applicable ("-").
struct Cpe {
  std::string vendor, product, version;
};

std::optional<Cpe> parse_cpe(std::string_view text) {
  constexpr std::string_view kPrefix = "cpe:2.3:";
  if (!text.starts_with(kPrefix)) return std::nullopt;
  text.remove_prefix(kPrefix.size());
  // part, vendor, product, version, update, edition, language, sw_edition,
  // target_sw, target_hw, other.
  struct Field {
    std::string value;
    bool escaped = false;  // "\*" is a literal asterisk, not "any"
  };
  std::vector<Field> fields(1);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\') {
      if (++i == text.size()) return std::nullopt;
      fields.back().value += text[i];
      fields.back().escaped = true;
    } else if (text[i] == ':') {
      fields.emplace_back();
    } else {
      fields.back().value += text[i];
    }
  }
  if (fields.size() != 11 || fields[1].value.empty() || fields[2].value.empty()) return std::nullopt;
  const Field& version = fields[3];
  bool any = !version.escaped && (version.value == "*" || version.value == "-");
  return Cpe{ascii_lowercase(fields[1].value), ascii_lowercase(fields[2].value), any ? std::string() : version.value};
}

std::optional<Severity> severity_of_score(double score) {
  if (score <= 0) return std::nullopt;
  if (score < 4) return Severity::low;
  if (score < 7) return Severity::medium;
  if (score < 9) return Severity::high;
  return Severity::critical;
}

// Severity and score from the most recent CVSS version present; within a
// version NVD's own ("Primary") metric wins over a CNA's.
void read_metrics(const json& cve, Advisory& a) {
  auto metrics = cve.find("metrics");
  if (metrics == cve.end() || !metrics->is_object()) return;
  for (const char* version : {"cvssMetricV40", "cvssMetricV31", "cvssMetricV30", "cvssMetricV2"}) {
    const json* list = array_of(*metrics, version);
    if (!list || list->empty()) continue;
    const json* chosen = nullptr;
    for (const auto& m : *list) {
      if (!m.is_object()) continue;
      if (!chosen) chosen = &m;
      if (text_of(m, "type") == "Primary") {
        chosen = &m;
        break;
      }
    }
    if (!chosen) continue;
    auto data = chosen->find("cvssData");
    if (data == chosen->end() || !data->is_object()) continue;
    if (auto score = data->find("baseScore"); score != data->end() && score->is_number()) a.cvss = score->get<double>();
    // v3 and v4 keep baseSeverity inside cvssData, v2 beside it.
    std::string named = text_of(*data, "baseSeverity");
    if (named.empty()) named = text_of(*chosen, "baseSeverity");
    if (auto s = parse_severity(named)) {
      a.severity = *s;
    } else if (ascii_lowercase(named) == "none") {
      a.severity = Severity::low;
    } else if (auto from_score = severity_of_score(a.cvss)) {
      a.severity = *from_score;
    }
    return;
  }
}

// Affected ranges from the vulnerable CPE matches of mapped products. Fails
// with the reason when a match is malformed.
Result<std::vector<AffectedRange>> read_configurations(const json& cve, const CpeProductMap& products) {
  std::vector<AffectedRange> out;
  auto configs = cve.find("configurations");
  if (configs == cve.end()) return out;
  if (!configs->is_array()) return make_error("invalid_record", "'configurations' is not a list");
  for (const auto& config : *configs) {
    const json* nodes = config.is_object() ? array_of(config, "nodes") : nullptr;
    if (!nodes) return make_error("invalid_record", "a configuration has no 'nodes' list");
    for (const auto& node : *nodes) {
      if (!node.is_object()) return make_error("invalid_record", "a configuration node is not an object");
      // A negated node lists what is NOT affected.
      if (auto negate = node.find("negate"); negate != node.end() && negate->is_boolean() && negate->get<bool>()) continue;
      const json* matches = array_of(node, "cpeMatch");
      if (!matches) return make_error("invalid_record", "a configuration node has no 'cpeMatch' list");
      for (const auto& m : *matches) {
        if (!m.is_object()) return make_error("invalid_record", "a cpeMatch entry is not an object");
        auto vulnerable = m.find("vulnerable");
        if (vulnerable == m.end() || !vulnerable->is_boolean())
          return make_error("invalid_record", "a cpeMatch entry has no boolean 'vulnerable'");
        if (!vulnerable->get<bool>()) continue;  // the platform it runs on, not the flaw
        std::string criteria = text_of(m, "criteria");
        auto cpe = parse_cpe(criteria);
        if (!cpe)
          return make_error("invalid_record", "cpeMatch criteria '" + criteria +
                                                  "' is not a CPE 2.3 name (cpe:2.3:part:vendor:product:version:...)");
        auto [first, last] = products.equal_range(cpe->vendor + ":" + cpe->product);
        for (auto it = first; it != last; ++it) {
          AffectedRange r;
          r.product = it->second;
          r.version = cpe->version;
          r.start_including = text_of(m, "versionStartIncluding");
          r.start_excluding = text_of(m, "versionStartExcluding");
          r.end_including = text_of(m, "versionEndIncluding");
          r.end_excluding = text_of(m, "versionEndExcluding");
          out.push_back(std::move(r));
        }
      }
    }
  }
  return out;
}

std::string english_description(const json& cve) {
  if (const json* list = array_of(cve, "descriptions"))
    for (const auto& d : *list)
      if (d.is_object() && text_of(d, "lang") == "en") return text_of(d, "value");
  return {};
}

Result<AdvisoryBatch> parse_nvd(std::string_view text, const std::string& file, const CpeProductMap& products,
                                const std::string& timezone) {
  auto root = parse_json(text, file);
  if (!root) return root.error();
  if (root->is_object() && root->contains("catalogVersion"))
    return file_error(file, "this is the CISA KEV catalogue; import it with --source kev");
  if (root->is_object() && root->contains("CVE_Items"))
    return file_error(file, "this is a retired NVD 1.1 feed; download CVEs from the NVD CVE API 2.0 "
                            "(https://services.nvd.nist.gov/rest/json/cves/2.0)");
  const json* list = root->is_object() ? array_of(*root, "vulnerabilities") : nullptr;
  if (!list)
    return file_error(file, "not an NVD CVE API 2.0 response: expected an object with a 'vulnerabilities' list "
                            "of {\"cve\": {...}}");
  AdvisoryBatch batch;
  for (size_t i = 0; i < list->size(); ++i) {
    const json& item = (*list)[i];
    std::string where = file + ": vulnerabilities[" + std::to_string(i) + "]";
    auto cve_it = item.find("cve");  // end() for anything but an object
    if (cve_it == item.end() || !cve_it->is_object()) {
      batch.problems.push_back({where, "no 'cve' object; each entry is {\"cve\": {\"id\": ...}}"});
      continue;
    }
    const json& cve = *cve_it;
    Advisory a;
    a.id = text_of(cve, "id");
    if (a.id.empty()) {
      batch.problems.push_back({where, "no 'cve.id'"});
      continue;
    }
    where += " (" + a.id + ")";
    if (text_of(cve, "vulnStatus") == "Rejected") continue;  // withdrawn: affects nothing
    auto published = parse_advisory_time(text_of(cve, "published"), timezone);
    if (!published) {
      batch.problems.push_back({where, "'published': " + published.error().message});
      continue;
    }
    auto affected = read_configurations(cve, products);
    if (!affected) {
      batch.problems.push_back({where, affected.error().message});
      continue;
    }
    if (affected->empty()) {
      ++batch.unmapped;
      continue;
    }
    a.sources = {"nvd"};
    a.published = *published;
    a.affected = std::move(*affected);
    a.known_exploited = cve.contains("cisaExploitAdd");
    a.title = text_of(cve, "cisaVulnerabilityName");
    if (a.title.empty()) a.title = english_description(cve);
    read_metrics(cve, a);
    batch.advisories.push_back(std::move(a));
  }
  return batch;
}

// ------------------------------------------------------------------ local YAML

std::string line_of(const YAML::Mark& m) { return m.is_null() ? std::string() : "line " + std::to_string(m.line + 1); }

Error yaml_error(const std::string& file, const YAML::Mark& m, const std::string& why) {
  std::string line = line_of(m);
  return file_error(file, (line.empty() ? "" : line + ": ") + why);
}

// A scalar's text; fails on maps and lists.
Result<std::string> scalar(const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) return make_error("invalid_record", "'" + key + "' must be a single value");
  return n.Scalar();
}

Result<AffectedRange> local_range(const YAML::Node& n) {
  if (!n.IsMap()) return make_error("invalid_record", "each 'affected' entry is a mapping with 'product'");
  AffectedRange r;
  const std::pair<const char*, std::string AffectedRange::*> fields[] = {
      {"product", &AffectedRange::product},
      {"version", &AffectedRange::version},
      {"version_start_including", &AffectedRange::start_including},
      {"version_start_excluding", &AffectedRange::start_excluding},
      {"version_end_including", &AffectedRange::end_including},
      {"version_end_excluding", &AffectedRange::end_excluding},
      {"fixed_patch_level", &AffectedRange::fixed_patch_level}};
  for (const auto& kv : n) {
    auto key = scalar(kv.first, "key");
    if (!key) return key.error();
    auto field = std::find_if(std::begin(fields), std::end(fields), [&](const auto& f) { return *key == f.first; });
    if (field == std::end(fields))
      return make_error("invalid_record", "unknown key '" + *key +
                                              "' in 'affected' (expected product, version, version_start_including, "
                                              "version_start_excluding, version_end_including, version_end_excluding, "
                                              "fixed_patch_level)");
    auto value = scalar(kv.second, *key);
    if (!value) return value.error();
    r.*(field->second) = *value;
  }
  if (!r.product.starts_with("os:") && !r.product.starts_with("app:"))
    return make_error("invalid_record", "'product' '" + r.product + "' must be os:<platform> or app:<app id>");
  if (!r.start_including.empty() && !r.start_excluding.empty())
    return make_error("invalid_record", "give version_start_including or version_start_excluding, not both");
  if (!r.end_including.empty() && !r.end_excluding.empty())
    return make_error("invalid_record", "give version_end_including or version_end_excluding, not both");
  bool bounded = !r.start_including.empty() || !r.start_excluding.empty() || !r.end_including.empty() ||
                 !r.end_excluding.empty();
  if (!r.version.empty() && bounded) return make_error("invalid_record", "give 'version' or version bounds, not both");
  if (!r.fixed_patch_level.empty() &&
      (r.fixed_patch_level.size() != 10 || !parse_advisory_time(r.fixed_patch_level, "UTC")))
    return make_error("invalid_record", "'fixed_patch_level' '" + r.fixed_patch_level + "' must be a date, YYYY-MM-DD");
  return r;
}

Result<Advisory> local_advisory(const YAML::Node& n, const std::string& timezone) {
  if (!n.IsMap()) return make_error("invalid_record", "each advisory is a mapping with id, severity and published");
  Advisory a;
  a.sources = {"local"};
  bool has_severity = false, has_published = false;
  for (const auto& kv : n) {
    auto key = scalar(kv.first, "key");
    if (!key) return key.error();
    if (*key == "affected") {
      if (!kv.second.IsSequence()) return make_error("invalid_record", "'affected' must be a list");
      for (const auto& entry : kv.second) {
        auto r = local_range(entry);
        if (!r) return r.error();
        a.affected.push_back(std::move(*r));
      }
      continue;
    }
    auto value = scalar(kv.second, *key);
    if (!value) return value.error();
    if (*key == "id") {
      a.id = *value;
    } else if (*key == "title") {
      a.title = *value;
    } else if (*key == "severity") {
      auto s = parse_severity(*value);
      if (!s) return make_error("invalid_record", "'severity' '" + *value + "' must be low, medium, high or critical");
      a.severity = *s;
      has_severity = true;
    } else if (*key == "published") {
      auto t = parse_advisory_time(*value, timezone);
      if (!t) return make_error("invalid_record", "'published': " + t.error().message);
      a.published = *t;
      has_published = true;
    } else if (*key == "known_exploited") {
      if (!YAML::convert<bool>::decode(kv.second, a.known_exploited))
        return make_error("invalid_record", "'known_exploited' must be true or false");
    } else if (*key == "cvss") {
      if (!YAML::convert<double>::decode(kv.second, a.cvss) || !(a.cvss >= 0 && a.cvss <= 10))
        return make_error("invalid_record", "'cvss' must be a number from 0 to 10");
    } else {
      return make_error("invalid_record", "unknown key '" + *key +
                                              "' (expected id, title, severity, published, known_exploited, cvss, "
                                              "affected)");
    }
  }
  if (a.id.empty()) return make_error("invalid_record", "no 'id'");
  if (!has_severity) return make_error("invalid_record", "no 'severity' (low, medium, high or critical)");
  if (!has_published) return make_error("invalid_record", "no 'published' date (YYYY-MM-DD)");
  return a;
}

Result<AdvisoryBatch> parse_local(std::string_view text, const std::string& file, const std::string& timezone) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return yaml_error(file, e.mark, "YAML syntax error: " + e.msg);
  }
  if (!root.IsMap() || !root["advisories"] || !root["advisories"].IsSequence())
    return yaml_error(file, root.Mark(), "expected a mapping with an 'advisories' list (see docs/patch-sla.md)");
  AdvisoryBatch batch;
  size_t i = 0;
  for (const auto& n : root["advisories"]) {
    std::string where = file + ": advisories[" + std::to_string(i++) + "]";
    if (std::string line = line_of(n.Mark()); !line.empty()) where += " (" + line + ")";
    auto a = local_advisory(n, timezone);
    if (!a) {
      batch.problems.push_back({where, a.error().message});
      continue;
    }
    batch.advisories.push_back(std::move(*a));
  }
  return batch;
}

}  // namespace

std::string_view name_of(Severity s) {
  switch (s) {
    case Severity::low: return "low";
    case Severity::medium: return "medium";
    case Severity::high: return "high";
    case Severity::critical: return "critical";
  }
  return "medium";
}

std::optional<Severity> parse_severity(std::string_view text) {
  std::string t = ascii_lowercase(text);
  for (Severity s : {Severity::low, Severity::medium, Severity::high, Severity::critical})
    if (t == name_of(s)) return s;
  return std::nullopt;
}

std::optional<AdvisorySource> parse_advisory_source(std::string_view text) {
  std::string t = ascii_lowercase(text);
  if (t == "kev") return AdvisorySource::kev;
  if (t == "nvd") return AdvisorySource::nvd;
  if (t == "local") return AdvisorySource::local;
  return std::nullopt;
}

Result<AdvisoryBatch> parse_advisories(AdvisorySource source, std::string_view text, const std::string& file_name,
                                       const CpeProductMap& products, const std::string& timezone) {
  // An unknown time zone is the policy's problem, not every record's.
  if (auto zone = parse_advisory_time("2000-01-01", timezone); !zone) return zone.error();
  try {
    switch (source) {
      case AdvisorySource::kev: return parse_kev(text, file_name, timezone);
      case AdvisorySource::nvd: return parse_nvd(text, file_name, products, timezone);
      case AdvisorySource::local: return parse_local(text, file_name, timezone);
    }
  } catch (const std::exception& e) {
    // Type checks above should make this unreachable; a parser surprise must
    // still not take the importer down.
    return file_error(file_name, std::string("could not be read: ") + e.what());
  }
  return file_error(file_name, "unknown advisory source");
}

}  // namespace wardline::posture
