// Files in the generic device format (docs/devices.md): CSV with a header
// of field names, and JSON as an array, {"devices": [...]} or JSON lines.
#include <algorithm>
#include <cstdint>

#include "core/csv.h"
#include "core/strings.h"
#include "posture/import_parsers.h"

namespace wardline::posture::detail {

namespace {

// JSON carries only UTF-8, and a device is stored and exported as JSON.
bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto lead = static_cast<unsigned char>(s[i]);
    size_t extra = 0;
    uint32_t cp = 0;
    if (lead < 0x80) {
      ++i;
      continue;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      extra = 1, cp = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      extra = 2, cp = lead & 0x0F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      extra = 3, cp = lead & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;
    for (size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(s[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (next & 0x3F);
    }
    const bool overlong = (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

bool all_utf8(const std::vector<std::string>& fields) {
  return std::all_of(fields.begin(), fields.end(), [](const std::string& f) { return valid_utf8(f); });
}

// The header names fields of the generic format, each once, `id` among them.
Result<std::vector<std::string>> csv_columns(const CsvRecord& header, const std::string& file) {
  const std::string where = file + ":" + std::to_string(header.line) + ": ";
  if (!all_utf8(header.fields))
    return make_error("invalid_inventory", where + "the header is not UTF-8; save the file as UTF-8");
  std::vector<std::string> columns;
  const auto& known = generic_fields();
  for (const std::string& field : header.fields) {
    std::string name = ascii_lowercase(trimmed(field));
    if (std::find(known.begin(), known.end(), name) == known.end())
      return make_error("invalid_inventory",
                        where + "unknown column \"" + name + "\"" + unknown_field_hint(name, known));
    if (std::find(columns.begin(), columns.end(), name) != columns.end())
      return make_error("invalid_inventory", where + "column \"" + name + "\" appears twice; keep one");
    columns.push_back(std::move(name));
  }
  if (std::find(columns.begin(), columns.end(), "id") == columns.end())
    return make_error("invalid_inventory", where + "no \"id\" column; every device needs its id");
  return columns;
}

Result<Device> csv_device(const std::vector<std::string>& columns, const std::vector<std::string>& fields) {
  if (fields.size() != columns.size())
    return make_error("invalid_device",
                      std::to_string(fields.size()) + " fields, but the header has " + std::to_string(columns.size()));
  if (!all_utf8(fields)) return make_error("invalid_device", "not UTF-8; save the file as UTF-8");
  Device d;
  for (size_t i = 0; i < columns.size(); ++i) {
    std::string_view cell = trimmed(fields[i]);
    if (cell.empty()) continue;  // not reported
    if (auto why = set_field_from_text(d, columns[i], cell))
      return make_error("invalid_device", "column \"" + columns[i] + "\" " + *why, columns[i]);
  }
  if (d.id.empty()) return make_error("invalid_device", "the id is empty; every device needs its id", "id");
  if (d.source.empty()) d.source = "csv";
  return d;
}

// The reader's "file:LINE: why" as a problem at file:LINE.
ImportProblem reader_problem(const std::string& message, const std::string& file) {
  size_t colon = message.find(": ", file.size());
  if (colon == std::string::npos) return {file, message};
  return {message.substr(0, colon), message.substr(colon + 2)};
}

Result<Device> json_device(const Json& value) {
  auto d = device_from_value(value);
  if (d && d->source.empty()) d->source = "json";
  return d;
}

void add_json_device(const Json& value, const std::string& where, ImportBatch& batch) {
  auto d = json_device(value);
  if (d)
    batch.devices.push_back(std::move(*d));
  else
    batch.problems.push_back({where, d.error().message});
}

// One device object per line. The file is JSON lines only if its first line
// is a whole JSON value; otherwise `whole_file_error` describes it.
Result<ImportBatch> parse_json_lines(std::string_view text, const std::string& file, const Error& whole_file_error) {
  ImportBatch batch;
  size_t line = 0;
  bool first = true;
  while (!text.empty()) {
    ++line;
    size_t end = text.find('\n');
    std::string_view content = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (!content.empty() && content.back() == '\r') content.remove_suffix(1);
    if (trimmed(content).empty()) continue;
    const std::string where = file + ":" + std::to_string(line);
    auto value = parse_json(content);
    if (!value && first) return whole_file_error;
    first = false;
    if (value)
      add_json_device(*value, where, batch);
    else
      batch.problems.push_back({where, value.error().message});
  }
  return batch;
}

}  // namespace

Result<ImportBatch> parse_generic_csv(std::string_view text, const std::string& file) {
  CsvReader reader(text, file);
  CsvRecord rec;
  auto more = reader.next(rec);
  if (!more) return make_error("invalid_inventory", more.error().message + " (in the header line)");
  if (!*more) return make_error("invalid_inventory", file + ": no header line; the first line names the columns");
  auto columns = csv_columns(rec, file);
  if (!columns) return columns.error();
  ImportBatch batch;
  for (;;) {
    more = reader.next(rec);
    if (!more) {
      batch.problems.push_back(reader_problem(more.error().message, file));
      continue;
    }
    if (!*more) break;
    auto d = csv_device(*columns, rec.fields);
    if (d)
      batch.devices.push_back(std::move(*d));
    else
      batch.problems.push_back({file + ":" + std::to_string(rec.line), d.error().message});
  }
  return batch;
}

Result<ImportBatch> parse_generic_json(std::string_view text, const std::string& file) {
  const char* const expected =
      "an array of device objects, {\"devices\": [...]}, or one device object per line (docs/devices.md)";
  auto doc = parse_json_file(text, file, expected);
  if (!doc) return parse_json_lines(text, file, doc.error());
  ImportBatch batch;
  if (doc->is_array()) {
    for (size_t i = 0; i < doc->size(); ++i) add_json_device((*doc)[i], file + ": [" + std::to_string(i) + "]", batch);
  } else if (const Json* devices = array_at(*doc, "devices")) {
    for (size_t i = 0; i < devices->size(); ++i)
      add_json_device((*devices)[i], file + ": devices[" + std::to_string(i) + "]", batch);
  } else if (doc->is_object() && !doc->contains("devices")) {
    auto d = json_device(*doc);
    if (!d) return make_error("invalid_inventory", file + ": " + d.error().message);
    batch.devices.push_back(std::move(*d));
  } else {
    return make_error("invalid_inventory", file + ": the top level is " + doc->type_name() +
                                               (doc->is_object() ? " whose \"devices\" is not an array" : "") +
                                               "; expected " + expected);
  }
  return batch;
}

}  // namespace wardline::posture::detail
