// Text feeds: CSV with configurable columns (URLhaus's layout built in) and
// plain lists (one or more values per line, '#' comments, types guessed).
#include "core/csv.h"
#include "core/strings.h"
#include "core/time.h"
#include "intel/feeds/feed_values.h"
#include "intel/intel.h"

namespace wardline::intel {
namespace {

// "2024-01-31 12:00:05" (URLhaus, UTC) or RFC 3339.
int64_t parse_feed_time(const std::string& s) {
  if (auto t = parse_rfc3339(s)) return *t;
  if (s.size() == 19 && s[10] == ' ') {
    std::string iso = s;
    iso[10] = 'T';
    if (auto t = parse_rfc3339(iso + "Z")) return *t;
  }
  return 0;
}

}  // namespace

// URLhaus CSV: id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter
// with the header as a '#' comment.
CsvLayout urlhaus_layout() {
  CsvLayout l;
  l.value_column = 2;
  l.type = IndicatorType::url;
  l.labels_column = 6;
  l.time_column = 1;
  return l;
}

void read_csv_feed(std::string_view text, const CsvLayout& layout, const IndicatorSink& sink, FeedStats& stats) {
  CsvReader reader(text, "feed", true);
  CsvRecord rec;
  bool header_pending = layout.header;
  for (;;) {
    auto more = reader.next(rec);
    if (!more) {
      stats.reject("csv", more.error().message);
      continue;
    }
    if (!*more) break;
    if (header_pending) {
      header_pending = false;
      continue;
    }
    auto where = [&] { return "line " + std::to_string(rec.line); };
    auto cell = [&](int column) -> const std::string* {
      return column >= 0 && static_cast<size_t>(column) < rec.fields.size() ? &rec.fields[static_cast<size_t>(column)] : nullptr;
    };
    const std::string* value = cell(layout.value_column);
    if (!value || value->empty()) {
      stats.reject(where(), "no value in column " + std::to_string(layout.value_column + 1));
      continue;
    }
    Indicator ind;
    std::optional<IndicatorType> type = layout.type;
    if (const std::string* t = cell(layout.type_column)) type = parse_type(ascii_lowercase(*t));
    if (!type) type = guess_type(*value);
    if (!type) {
      stats.reject(where(), "cannot tell the type of '" + value->substr(0, 80) + "'");
      continue;
    }
    ind.type = *type;
    if (const std::string* labels = cell(layout.labels_column)) {
      for (size_t start = 0; start < labels->size();) {
        size_t comma = labels->find(',', start);
        std::string label = labels->substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!label.empty()) ind.labels.push_back(label);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    }
    if (const std::string* t = cell(layout.time_column)) ind.valid_from = parse_feed_time(*t);
    emit_normalized(std::move(ind), *value, where, sink, stats);
  }
}

void read_list_feed(std::string_view text, const IndicatorSink& sink, FeedStats& stats) {
  size_t line = 0;
  auto where = [&] { return "line " + std::to_string(line); };
  while (!text.empty()) {
    ++line;
    size_t nl = text.find('\n');
    std::string_view row = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (size_t hash = row.find('#'); hash != std::string_view::npos) row = row.substr(0, hash);
    for (size_t i = 0; i < row.size();) {
      while (i < row.size() && (row[i] == ' ' || row[i] == '\t' || row[i] == '\r')) ++i;
      size_t start = i;
      while (i < row.size() && row[i] != ' ' && row[i] != '\t' && row[i] != '\r') ++i;
      if (i == start) continue;
      std::string_view value = row.substr(start, i - start);
      auto type = guess_type(value);
      if (!type) {
        stats.reject(where(), "cannot tell the type of '" + std::string(value.substr(0, 80)) + "'");
        continue;
      }
      Indicator ind;
      ind.type = *type;
      emit_normalized(std::move(ind), value, where, sink, stats);
    }
  }
}

}  // namespace wardline::intel
