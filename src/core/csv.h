// RFC 4180 CSV: quoted fields with embedded commas, quotes and newlines,
// CRLF or LF line ends, an optional UTF-8 byte-order mark. The first record
// is the header.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace wardline {

struct CsvRecord {
  size_t line = 0;  // 1-based line where the record starts
  std::vector<std::string> fields;
};

struct CsvTable {
  std::vector<std::string> header;  // trimmed, lower-case
  std::vector<CsvRecord> records;   // blank lines skipped

  // Index of a header column, or -1.
  int column(std::string_view name) const;
};

// One field as RFC 4180 writes it: quoted when it holds a comma, a quote or
// a line break, with quotes doubled.
std::string csv_field(std::string_view value);

// `source` names the input in error messages ("staff.csv:12: ...").
Result<CsvTable> parse_csv(std::string_view text, const std::string& source);

// One record at a time, for large files (threat feeds). With `comments`,
// lines starting with '#' are skipped.
class CsvReader {
 public:
  CsvReader(std::string_view text, std::string source, bool comments = false);
  // False at the end. A malformed record is an error, and reading resumes
  // on the line after it.
  Result<bool> next(CsvRecord& record);

 private:
  Error fail(size_t line, const std::string& why);
  std::string_view text_;
  std::string source_;
  bool comments_;
  size_t i_ = 0, line_ = 1;
};

}  // namespace wardline
