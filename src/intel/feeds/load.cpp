// Feeds on disk into one indicator set: format detection, MISP feed
// directories, memory sized from the files before anything is added.
#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/files.h"
#include "intel/feeds/feed_values.h"
#include "intel/intel.h"

namespace wardline::intel {
namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 6> kFeedFormats = {"stix", "misp", "csv", "urlhaus", "list", "taxii"};


FeedFormat detect_format(const std::string& path, std::string_view text) {
  size_t start = text.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
  if (start != std::string_view::npos && text[start] == '{') {
    std::string_view head = text.substr(0, 4096);
    if (head.find("\"bundle\"") != std::string_view::npos) return FeedFormat::stix;
    return FeedFormat::misp;
  }
  if (text.substr(0, 2048).find("urlhaus") != std::string_view::npos) return FeedFormat::urlhaus;
  if (path.ends_with(".csv")) return FeedFormat::csv;
  return FeedFormat::list;
}

Status read_content(FeedFormat format, std::string_view text, const IndicatorSink& sink, FeedStats& stats) {
  switch (format) {
    case FeedFormat::stix:
    case FeedFormat::taxii: return read_stix_bundle(text, sink, stats);  // a collection is kept as a bundle
    case FeedFormat::misp: return read_misp_event(text, sink, stats);
    case FeedFormat::csv: read_csv_feed(text, CsvLayout{}, sink, stats); return Status::Ok();
    case FeedFormat::urlhaus: read_csv_feed(text, urlhaus_layout(), sink, stats); return Status::Ok();
    case FeedFormat::list: read_list_feed(text, sink, stats); return Status::Ok();
  }
  return Status::Ok();
}

// A MISP feed directory: manifest.json names the events, one <uuid>.json each.
Status read_misp_directory(const fs::path& dir, const IndicatorSink& sink, FeedStats& stats) {
  auto manifest_text = read_file((dir / "manifest.json").string(), "MISP feed manifest");
  if (!manifest_text) return manifest_text.error();
  auto manifest = nlohmann::json::parse(*manifest_text, nullptr, false);
  if (manifest.is_discarded() || !manifest.is_object())
    return make_error("invalid_feed", (dir / "manifest.json").string() + ": expected a JSON object of event UUIDs");
  for (const auto& [uuid, summary] : manifest.items()) {
    if (uuid.find_first_of("/\\.") != std::string::npos) {
      stats.reject("manifest", "event id '" + uuid + "' is not a UUID");
      continue;
    }
    auto text = read_file((dir / (uuid + ".json")).string(), "MISP event");
    if (!text) {
      stats.reject("event " + uuid, text.error().message);
      continue;
    }
    if (Status s = read_misp_event(*text, sink, stats); !s) stats.reject("event " + uuid, s.error().message);
  }
  return Status::Ok();
}

// Expiry and decay (see Lifecycle); sets the indicator's effective confidence.
Status apply_lifecycle(Indicator& ind, const FeedFile& feed, const Lifecycle& lc) {
  if (!lc.suppressed.empty() && lc.suppressed.count(std::string(type_name(ind.type)) + ":" + ind.value))
    return make_error("warninglisted", "'" + ind.value + "' was called a false positive");
  if (lc.now == 0) return Status::Ok();
  if (ind.valid_until > 0 && ind.valid_until <= lc.now)
    return make_error("expired", "'" + ind.value + "' expired at its valid_until");
  if (feed.half_life <= 0) return Status::Ok();
  int base = ind.confidence >= 0 ? ind.confidence : feed.confidence;
  int64_t fresh = ind.valid_from > 0 ? ind.valid_from : lc.now;
  if (lc.last_sighting) fresh = std::max(fresh, lc.last_sighting(ind.type, ind.value));
  double age = static_cast<double>(std::max<int64_t>(0, lc.now - fresh));
  int effective = static_cast<int>(std::lround(base * std::exp2(-age / static_cast<double>(feed.half_life))));
  if (effective < lc.min_confidence)
    return make_error("decayed", "'" + ind.value + "' decayed to confidence " + std::to_string(effective));
  ind.confidence = effective;
  return Status::Ok();
}

}  // namespace

std::optional<FeedFormat> parse_feed_format(std::string_view name) {
  for (size_t i = 0; i < kFeedFormats.size(); ++i)
    if (kFeedFormats[i] == name) return static_cast<FeedFormat>(i);
  return std::nullopt;
}

std::string_view feed_format_name(FeedFormat format) { return kFeedFormats[static_cast<size_t>(format)]; }

Result<std::shared_ptr<const IndicatorSet>> load_indicator_set(const std::vector<FeedFile>& feeds, const WarningList& warning,
                                                              std::vector<FeedReport>& reports,
                                                              const std::vector<LocalFeed>& local,
                                                              const Lifecycle& lifecycle) {
  IndicatorSetBuilder builder(warning);
  for (const LocalFeed& feed : local) {
    FeedReport report;
    report.name = feed.name;
    auto sink = [&](Indicator&& ind) { return builder.add(ind, feed.name, feed.confidence); };
    for (size_t i = 0; i < feed.indicators.size(); ++i) {
      Indicator ind = feed.indicators[i];
      std::string raw = ind.value;
      emit_normalized(std::move(ind), raw, [&] { return "entry " + std::to_string(i + 1); }, sink, report.stats);
    }
    reports.push_back(std::move(report));
  }
  for (const FeedFile& feed : feeds) {
    FeedReport report;
    report.name = feed.name.empty() ? fs::path(feed.path).filename().string() : feed.name;
    auto sink = [&](Indicator&& ind) -> Status {
      if (Status s = apply_lifecycle(ind, feed, lifecycle); !s) return s;
      return builder.add(ind, report.name, feed.confidence);
    };
    std::error_code ec;
    if (fs::is_directory(feed.path, ec)) {
      if (!fs::exists(fs::path(feed.path) / "manifest.json"))
        return make_error("invalid_feed", feed.path + ": a feed directory must be a MISP feed with manifest.json");
      report.format = FeedFormat::misp;
      if (Status s = read_misp_directory(feed.path, sink, report.stats); !s) return s.error();
    } else {
      auto text = read_file(feed.path, "feed");
      if (!text) return text.error();
      report.format = feed.format.value_or(detect_format(feed.path, *text));
      if (report.format == FeedFormat::list || report.format == FeedFormat::csv || report.format == FeedFormat::urlhaus) {
        // One indicator per line at most: size the set before filling it.
        size_t lines = static_cast<size_t>(std::count(text->begin(), text->end(), '\n')) + 1;
        builder.reserve(lines, report.format == FeedFormat::list ? text->size() - std::min(lines - 1, text->size()) : lines * 40);
      }
      if (Status s = read_content(report.format, *text, sink, report.stats); !s)
        return make_error(s.error().code, feed.path + ": " + s.error().message);
    }
    reports.push_back(std::move(report));
  }
  return builder.build();
}

}  // namespace wardline::intel
