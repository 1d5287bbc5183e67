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

Result<CsvTable> parse_csv(std::string_view text, const std::string& source) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  CsvTable table;
  size_t line = 1, i = 0;
  while (i < text.size()) {
    CsvRecord rec{line, {}};
    std::string field;
    bool record_done = false;
    while (!record_done) {
      if (i < text.size() && text[i] == '"') {
        size_t opened = line;
        ++i;
        for (;;) {
          if (i >= text.size())
            return make_error("invalid_csv", source + ":" + std::to_string(opened) +
                                                 ": a quoted field is never closed (a '\"' is missing)");
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
          return make_error("invalid_csv", source + ":" + std::to_string(line) +
                                               ": text after a closing quote; quote the whole field and double inner quotes");
      } else {
        while (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          if (text[i] == '"')
            return make_error("invalid_csv", source + ":" + std::to_string(line) +
                                                 ": a '\"' inside an unquoted field; quote the field and double the quote");
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

}  // namespace wardline
