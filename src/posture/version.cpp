// Version ordering for OS and app versions as MDMs report them: "17.2.1",
// "10.0.19045.3803", "2024.1.0 (build 77)", Android "14", Teams "6.2.1".
#include "core/strings.h"
#include "posture/posture.h"

namespace wardline::posture {
namespace {

// The next dot- or dash-separated segment, from `pos`.
std::string_view next_segment(std::string_view v, size_t& pos) {
  size_t start = pos;
  while (pos < v.size() && v[pos] != '.' && v[pos] != '-' && v[pos] != ' ' && v[pos] != '_') ++pos;
  std::string_view seg = v.substr(start, pos - start);
  if (pos < v.size()) ++pos;
  return seg;
}

bool all_zero_rest(std::string_view v, size_t pos) {
  while (pos < v.size()) {
    std::string_view seg = next_segment(v, pos);
    for (char c : seg)
      if (c != '0') return false;
  }
  return true;
}

// Numeric segments compare as numbers (leading zeros ignored); a segment
// with letters compares as text after its leading number ("3b" > "3a").
int compare_segments(std::string_view a, std::string_view b) {
  size_t da = 0, db = 0;
  while (da < a.size() && ascii_digit(a[da])) ++da;
  while (db < b.size() && ascii_digit(b[db])) ++db;
  std::string_view na = a.substr(0, da), nb = b.substr(0, db);
  while (na.size() > 1 && na.front() == '0') na.remove_prefix(1);
  while (nb.size() > 1 && nb.front() == '0') nb.remove_prefix(1);
  if (na.size() != nb.size()) return na.size() < nb.size() ? -1 : 1;
  if (int c = na.compare(nb); c != 0) return c < 0 ? -1 : 1;
  int c = a.substr(da).compare(b.substr(db));
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

}  // namespace

int compare_versions(std::string_view a, std::string_view b) {
  size_t pa = 0, pb = 0;
  while (pa < a.size() && pb < b.size()) {
    std::string_view sa = next_segment(a, pa), sb = next_segment(b, pb);
    if (int c = compare_segments(sa, sb); c != 0) return c;
  }
  // "17" == "17.0.0"; "17.0.1" > "17".
  if (pa < a.size()) return all_zero_rest(a, pa) ? 0 : 1;
  if (pb < b.size()) return all_zero_rest(b, pb) ? 0 : -1;
  return 0;
}

}  // namespace wardline::posture
