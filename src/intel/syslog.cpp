// Syslog as log sources send it: RFC 6587 framing on a TCP (or TLS, RFC 5425)
// stream, then an RFC 5424 or RFC 3164 header in front of the message the
// log parsers read (a CEF line, a Squid line, JSON).
#include <cstring>

#include "core/strings.h"
#include "intel/intel.h"

namespace wardline::intel {

SyslogFramer::SyslogFramer(size_t max_message) : max_(max_message) {}

void SyslogFramer::feed(std::string_view bytes) { buf_.append(bytes); }

// Octet counting ("123 <34>1 ...") when a frame starts with a digit, else
// LF-terminated (non-transparent framing). A frame over the limit is
// dropped and reported; reading goes on with the next one.
SyslogFramer::Next SyslogFramer::next(std::string& message) {
  for (;;) {
    if (skip_bytes_ > 0) {  // the rest of an oversized octet-counted frame
      size_t take = std::min(skip_bytes_, buf_.size() - pos_);
      pos_ += take;
      skip_bytes_ -= take;
      if (skip_bytes_ > 0) return compact();
    }
    if (skip_line_) {  // the rest of a malformed or oversized line
      const char* nl = static_cast<const char*>(std::memchr(buf_.data() + pos_, '\n', buf_.size() - pos_));
      if (!nl) {
        pos_ = buf_.size();
        return compact();
      }
      pos_ = static_cast<size_t>(nl - buf_.data()) + 1;
      skip_line_ = false;
    }
    while (pos_ < buf_.size() && (buf_[pos_] == '\n' || buf_[pos_] == '\r' || buf_[pos_] == '\0')) ++pos_;
    if (pos_ >= buf_.size()) return compact();
    if (!ascii_digit(buf_[pos_])) break;
    size_t i = pos_, len = 0;
    while (i < buf_.size() && ascii_digit(buf_[i]) && i - pos_ < 10) len = len * 10 + static_cast<size_t>(buf_[i++] - '0');
    if (i >= buf_.size()) return compact();
    if (buf_[i] != ' ' || len == 0) {
      error_ = "a frame starting with digits must be octet-counted: LENGTH SP MESSAGE (RFC 6587)";
      skip_line_ = true;
      return Next::malformed;
    }
    if (len > max_) {
      error_ = "a frame of " + std::to_string(len) + " bytes is over the " + std::to_string(max_) + "-byte limit";
      skip_bytes_ = len;
      pos_ = i + 1;
      return Next::malformed;
    }
    if (buf_.size() - (i + 1) < len) return compact();
    message.assign(buf_, i + 1, len);
    pos_ = i + 1 + len;
    return Next::message;
  }
  const char* nl = static_cast<const char*>(std::memchr(buf_.data() + pos_, '\n', buf_.size() - pos_));
  if (!nl) {
    if (buf_.size() - pos_ > max_) {
      error_ = "a line over the " + std::to_string(max_) + "-byte limit";
      skip_line_ = true;
      pos_ = buf_.size();
      compact();
      return Next::malformed;
    }
    return compact();
  }
  size_t end = static_cast<size_t>(nl - buf_.data());
  if (end - pos_ > max_) {
    error_ = "a line over the " + std::to_string(max_) + "-byte limit";
    pos_ = end + 1;
    return Next::malformed;
  }
  message.assign(buf_, pos_, end - pos_);
  if (!message.empty() && message.back() == '\r') message.pop_back();
  pos_ = end + 1;
  return Next::message;
}

SyslogFramer::Next SyslogFramer::compact() {
  buf_.erase(0, pos_);
  pos_ = 0;
  return Next::need_more;
}

namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// The next space-separated header field.
bool field(std::string_view& s, std::string_view& out) {
  size_t sp = s.find(' ');
  if (sp == std::string_view::npos || sp == 0) return false;
  out = s.substr(0, sp);
  s.remove_prefix(sp + 1);
  return true;
}

// STRUCTURED-DATA: "-" or one or more [ID param="value" ...] with \" \\ \] escapes.
bool structured_data(std::string_view& s) {
  if (s.starts_with("-")) {
    s.remove_prefix(1);
    return true;
  }
  if (!s.starts_with("[")) return false;
  while (s.starts_with("[")) {
    size_t i = 1;
    bool quoted = false;
    for (; i < s.size(); ++i) {
      if (quoted && s[i] == '\\') {
        ++i;
        continue;
      }
      if (s[i] == '"') quoted = !quoted;
      else if (s[i] == ']' && !quoted) break;
    }
    if (i >= s.size()) return false;
    s.remove_prefix(i + 1);
  }
  return true;
}

bool month(std::string_view m) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (auto k : kMonths)
    if (m == k) return true;
  return false;
}

}  // namespace

SyslogMessage parse_syslog(std::string_view frame) {
  SyslogMessage out;
  out.msg = frame;
  if (!frame.starts_with("<")) return out;  // no header: the whole frame is the message
  size_t close = frame.find('>');
  if (close == std::string_view::npos || close < 2 || close > 4) return out;
  int pri = 0;
  for (size_t i = 1; i < close; ++i) {
    if (!ascii_digit(frame[i])) return out;
    pri = pri * 10 + (frame[i] - '0');
  }
  if (pri > 191) return out;
  out.pri = pri;
  std::string_view rest = frame.substr(close + 1);
  out.msg = rest;
  if (rest.starts_with("1 ")) {  // RFC 5424
    std::string_view s = rest.substr(2), ts, host, app, procid, msgid;
    if (!field(s, ts) || !field(s, host) || !field(s, app) || !field(s, procid) || !field(s, msgid)) return out;
    std::string_view sd = s;
    if (!structured_data(s)) return out;
    out.rfc5424 = true;
    out.timestamp = ts == "-" ? std::string_view{} : ts;
    out.host = host == "-" ? std::string_view{} : host;
    out.app = app == "-" ? std::string_view{} : app;
    out.structured_data = sd.substr(0, sd.size() - s.size());
    if (s.starts_with(" ")) s.remove_prefix(1);
    if (s.starts_with(kBom)) s.remove_prefix(kBom.size());
    out.msg = s;
    return out;
  }
  // RFC 3164: "Mmm dd hh:mm:ss HOST TAG[pid]: MSG"
  if (rest.size() >= 16 && month(rest.substr(0, 3)) && rest[3] == ' ' && rest[6] == ' ' && rest[9] == ':' && rest[15] == ' ') {
    out.timestamp = rest.substr(0, 15);
    std::string_view s = rest.substr(16), host;
    if (!field(s, host)) return out;
    out.host = host;
    // The tag runs to ':' (or '[pid]:'); without one, the rest is the message.
    size_t colon = s.find(": ");
    size_t space = s.find(' ');
    if (colon != std::string_view::npos && (space == std::string_view::npos || colon < space)) {
      std::string_view tag = s.substr(0, colon);
      out.app = tag.substr(0, tag.find('['));
      s.remove_prefix(colon + 2);
    }
    out.msg = s;
  }
  return out;
}

}  // namespace wardline::intel
