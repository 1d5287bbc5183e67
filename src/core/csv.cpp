#include "core/csv.h"

#include <algorithm>

namespace wardline {

int CsvTable::column(std::string_view name) const {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return static_cast<int>(i);
  return -1;
}

namespace {

std::string trimmed_lower(std::string s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  s = b == std::string::npos ? "" : s.substr(b, e - b + 1);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

CsvReader::CsvReader(std::string_view text, std::string source, bool comments)
    : text_(text), source_(std::move(source)), comments_(comments) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") text_.remove_prefix(3);
}

Error CsvReader::fail(size_t line, const std::string& why) {
  // Resume after the end of the current line.
  size_t nl = text_.find('\n', i_);
  i_ = nl == std::string_view::npos ? text_.size() : nl + 1;
  line_ = line + 1;
  return make_error("invalid_csv", source_ + ":" + std::to_string(line) + ": " + why);
}

Result<bool> CsvReader::next(CsvRecord& rec) {
  const std::string_view text = text_;
  size_t& i = i_;
  size_t& line = line_;
  while (i < text.size()) {
    rec.line = line;
    rec.fields.clear();
    if (comments_ && text[i] == '#') {
      size_t nl = text.find('\n', i);
      i = nl == std::string_view::npos ? text.size() : nl + 1;
      ++line;
      continue;
    }
    std::string field;
    bool record_done = false;
    while (!record_done) {
      if (i < text.size() && text[i] == '"') {
        size_t opened = line;
        ++i;
        for (;;) {
          if (i >= text.size()) return fail(opened, "a quoted field is never closed (a '\"' is missing)");
          char c = text[i++];
          if (c == '"') {
            if (i < text.size() && text[i] == '"') {
              field += '"';
              ++i;
              continue;
            }
            break;
          }
          if (c == '\n') ++line;
          field += c;
        }
        if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
          return fail(line, "text after a closing quote; quote the whole field and double inner quotes");
      } else {
        while (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          if (text[i] == '"') return fail(line, "a '\"' inside an unquoted field; quote the field and double the quote");
          field += text[i++];
        }
      }
      rec.fields.push_back(std::move(field));
      field.clear();
      if (i >= text.size()) {
        record_done = true;
      } else if (text[i] == ',') {
        ++i;
      } else {
        if (text[i] == '\r') ++i;
        if (i < text.size() && text[i] == '\n') ++i;
        ++line;
        record_done = true;
      }
    }
    if (rec.fields.size() == 1 && rec.fields[0].empty()) continue;  // blank line
    return true;
  }
  return false;
}

Result<CsvTable> parse_csv(std::string_view text, const std::string& source) {
  CsvTable table;
  CsvReader reader(text, source);
  CsvRecord rec;
  for (;;) {
    auto more = reader.next(rec);
    if (!more) return more.error();
    if (!*more) break;
    if (table.header.empty()) {
      for (auto& h : rec.fields) table.header.push_back(trimmed_lower(h));
      continue;
    }
    if (rec.fields.size() != table.header.size())
      return make_error("invalid_csv", source + ":" + std::to_string(rec.line) + ": " + std::to_string(rec.fields.size()) +
                                           " fields, but the header has " + std::to_string(table.header.size()));
    table.records.push_back(std::move(rec));
  }
  if (table.header.empty()) return make_error("invalid_csv", source + ": empty file; expected a header line");
  return table;
}

std::string csv_field(std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace wardline
