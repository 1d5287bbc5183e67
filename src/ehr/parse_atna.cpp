// IHE ATNA audit messages (DICOM PS3.15 A.5 and RFC 3881 names; mapping in
// docs/ehr-analytics.md), read with expat.
//
// An input holds any number of <AuditMessage> documents: concatenated, one
// per line or per syslog message, each optionally after a byte-order mark,
// an XML declaration and an RFC 5424 / 3164 syslog header. Each message is
// parsed on its own, stopping at its root's end tag, so a broken one is
// reported and skipped and the next one is still read.
//
// Audit messages never need a DTD, so any document type declaration is
// refused before expat reads it: no entity is ever declared, let alone
// expanded or fetched. Depth, attribute and message sizes are bounded.
#include <expat.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <optional>

#include "core/strings.h"
#include "core/time.h"
#include "ehr/parsers.h"

namespace wardline::ehr {
namespace {

constexpr size_t npos = std::string_view::npos;
constexpr size_t kMaxDepth = 32;          // real messages nest 3 deep
constexpr size_t kMaxAttribute = 4096;    // ids and codes; a 4 KB one is not an id
constexpr size_t kMaxMessage = 4u << 20;  // thousands of participant objects still fit

constexpr std::string_view kValid =
    "a valid AuditMessage has EventIdentification with EventDateTime and an ActiveParticipant with UserID "
    "(UserIsRequestor=\"true\")";

bool space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view local_name(const XML_Char* name) {
  std::string_view n(name);
  size_t colon = n.rfind(':');
  return colon == npos ? n : n.substr(colon + 1);
}

std::string_view attribute(const XML_Char** atts, std::string_view name) {
  for (; *atts; atts += 2)
    if (name == atts[0]) return atts[1];
  return {};
}

std::string_view first_attribute(const XML_Char** atts, std::initializer_list<std::string_view> names) {
  for (std::string_view n : names)
    if (std::string_view v = attribute(atts, n); !v.empty()) return v;
  return {};
}

// Text of a coded value: DICOM originalText, RFC 3881 displayName, else the code.
std::string_view code_text(const XML_Char** atts) {
  return first_attribute(atts, {"originalText", "displayName", "csd-code", "code"});
}

// Where the next message's "AuditMessage" tag (start or, with `closing`, end
// tag; any namespace prefix) begins at or after `from`; npos if none.
size_t find_tag(std::string_view t, size_t from, bool closing) {
  constexpr std::string_view kName = "AuditMessage";
  for (size_t i = t.find(kName, from); i != npos; i = t.find(kName, i + 1)) {
    size_t after = i + kName.size();
    if (after < t.size() && !space(t[after]) && t[after] != '>' && t[after] != '/') continue;
    size_t j = i;
    if (j > 0 && t[j - 1] == ':')
      for (--j; j > 0 && (ascii_alnum(t[j - 1]) || t[j - 1] == '_' || t[j - 1] == '-' || t[j - 1] == '.');) --j;
    size_t tag = closing ? (j >= 2 && t[j - 1] == '/' && t[j - 2] == '<' ? j - 2 : npos)
                         : (j >= 1 && t[j - 1] == '<' ? j - 1 : npos);
    if (tag != npos && tag >= from) return tag;
  }
  return npos;
}

// A forward search remembered: reading only moves forward, so a search
// from anywhere up to the last answer has that answer. Without it, damaged
// input (many messages without end tags, say) would cost a scan of the
// rest of the input per message.
class ForwardSearch {
 public:
  explicit ForwardSearch(std::function<size_t(size_t)> find) : find_(std::move(find)) {}
  size_t operator()(size_t from) {
    if (from_ == npos || from < from_ || (found_ != npos && from > found_)) {
      from_ = from;
      found_ = find_(from);
    }
    return found_;
  }

 private:
  std::function<size_t(size_t)> find_;
  size_t from_ = npos, found_ = npos;
};

// For a network access point without its type code: an IPv4 or IPv6
// address, or else a machine name.
bool looks_like_address(std::string_view s) {
  bool dot_or_colon = false;
  for (char c : s) {
    if (c == '.' || c == ':')
      dot_or_colon = true;
    else if (!ascii_xdigit(c))
      return false;
  }
  return dot_or_colon;
}

// What a message says, as read; mapped to an event once its root closes.
struct Participant {
  std::string user, role, access_point, access_point_type, requestor;
};

struct Message {
  std::string time, action, outcome, event_text, application, patient, object_text;
  std::optional<Participant> requestor, default_requestor;
  std::string other_machine;  // a non-requesting participant's machine name
};

enum class Kind : uint8_t { other, root, event, participant, object };

class AtnaReader {
 public:
  AtnaReader(std::string_view text, ParseSink& sink)
      : text_(text),
        sink_(sink),
        xml_(XML_ParserCreate(nullptr)),
        start_tag_([text](size_t from) { return find_tag(text, from, false); }),
        end_tag_([text](size_t from) { return find_tag(text, from, true); }),
        declaration_([text](size_t from) { return text.find("<?xml", from); }),
        newline_([text](size_t from) { return text.find('\n', from); }) {}
  ~AtnaReader() { XML_ParserFree(xml_); }
  AtnaReader(const AtnaReader&) = delete;
  AtnaReader& operator=(const AtnaReader&) = delete;

  void run() {
    if (!xml_) return;
    for (size_t pos = skip_framing(0); pos != npos; pos = skip_framing(pos)) {
      line_ += count_newlines(text_, counted_, pos);
      counted_ = pos;
      size_t record = sink_.next_record();
      if (text_[pos] != '<') {
        sink_.problem(record, line_,
                      std::string("not an audit message: expected <AuditMessage>; ") + std::string(kValid));
        pos = text_.find('\n', pos);
        continue;
      }
      size_t end = message(pos, record);
      pos = end != npos ? end : resume_after_failure(pos);
    }
  }

 private:
  // Past whitespace, byte-order marks and syslog headers to where a message
  // (or garbage) starts; npos at the end of the input.
  size_t skip_framing(size_t pos) const {
    while (pos != npos && pos < text_.size()) {
      if (space(text_[pos]))
        ++pos;
      else if (text_.substr(pos).starts_with("\xEF\xBB\xBF"))
        pos += 3;
      else if (size_t after = syslog_header_end(pos); after != pos)
        pos = after;
      else
        return pos;
    }
    return npos;
  }

  // "<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD " (RFC 5424) or
  // "<PRI>Jan  5 10:00:00 host app: " (RFC 3164): where the payload starts;
  // `pos` when there is no header.
  size_t syslog_header_end(size_t pos) const {
    std::string_view t = text_;
    size_t i = pos + 1;
    while (i < t.size() && i - pos <= 3 && ascii_digit(t[i])) ++i;
    if (t[pos] != '<' || i == pos + 1 || i >= t.size() || t[i] != '>') return pos;
    ++i;
    if (i + 1 < t.size() && ascii_digit(t[i]) && t[i + 1] == ' ') {
      for (int field = 0; field < 6 && i < t.size(); ++field) {
        size_t sp = t.find_first_of(" \n", i);
        i = sp == npos || t[sp] == '\n' ? t.size() : sp + 1;
      }
      // Structured data: "-" or [id param="value"]..., where "\]" escapes a bracket.
      if (i < t.size() && t[i] == '-') ++i;
      while (i < t.size() && t[i] == '[') {
        for (++i; i < t.size() && t[i] != ']' && t[i] != '\n'; ++i)
          if (t[i] == '\\') ++i;
        if (i < t.size() && t[i] == ']') ++i;
      }
      return std::min(i, t.size());
    }
    size_t lt = t.find_first_of("<\n", i);
    return lt == npos || t[lt] == '\n' ? std::min(lt, t.size()) : lt;
  }

  // After a broken message: the end of its <AuditMessage> or the start of
  // the next message, whichever comes first; when it never opened an
  // <AuditMessage>, the next line or message.
  size_t resume_after_failure(size_t pos) {
    // A refused document type comes before the root it declares.
    size_t root = root_at_ != npos ? root_at_ : doctype_ ? start_tag_(pos) : npos;
    if (root == npos) {
      size_t nl = newline_(pos);
      return std::min(nl == npos ? npos : nl + 1, next_message(pos + 1));
    }
    size_t close = end_tag_(root);
    if (close != npos) close = text_.find('>', close);
    return std::min(close == npos ? npos : close + 1, next_message(root + 1));
  }

  // Where the next message at or after `from` starts: its XML declaration,
  // its root, or the syslog header of the line they are on.
  size_t next_message(size_t from) {
    size_t next = std::min(start_tag_(from), declaration_(from));
    if (next == npos) return npos;
    size_t nl = text_.substr(from, next - from).rfind('\n');  // only as far back as `from`
    if (nl == npos) return next;
    size_t line_start = from + nl + 1;
    return syslog_header_end(line_start) != line_start ? line_start : next;
  }

  // Parses the message at `pos`; where it ends, or npos when it is broken.
  size_t message(size_t pos, size_t record) {
    XML_ParserReset(xml_, nullptr);
    XML_SetUserData(xml_, this);
    XML_SetElementHandler(xml_, on_start, on_end);
    XML_SetStartDoctypeDeclHandler(xml_, on_doctype);
    XML_SetEntityDeclHandler(xml_, on_entity);
    msg_ = {};
    start_ = pos;
    root_at_ = npos;
    doctype_ = false;
    error_.clear();
    depth_ = 0;
    end_ = npos;
    // Expat copies all it is given, so it gets the message up to its end
    // tag, in pieces that start small and double: a message that fails
    // early costs no copy of the rest of the input.
    size_t limit = std::min(text_.size(), pos + kMaxMessage);
    for (size_t fed = pos; fed < limit;) {
      size_t close = end_tag_(fed);
      size_t gt = close == npos ? npos : text_.find('>', close);
      size_t piece = std::min({limit, gt == npos ? limit : gt + 1, fed + std::max<size_t>(4096, fed - pos)});
      if (!XML_Parse(xml_, text_.data() + fed, static_cast<int>(piece - fed), piece == limit)) break;
      fed = piece;
    }
    if (end_ == npos) {
      if (error_.empty()) {
        error_ = "not well-formed XML (" + std::string(XML_ErrorString(XML_GetErrorCode(xml_))) + " at line " +
                 std::to_string(line_ + XML_GetCurrentLineNumber(xml_) - 1) + ")";
        if (limit - pos == kMaxMessage) error_ += " or longer than 4 MiB";
      }
      sink_.problem(record, line_, error_);
      return npos;
    }
    AccessEvent e;
    std::string error = map(e);
    if (error.empty()) error = sink_.deliver(e);
    if (!error.empty()) sink_.problem(record, line_, error);
    return pos + end_;
  }

  std::string map(AccessEvent& e) const {
    const Message& m = msg_;
    if (m.time.empty()) return std::string("no EventIdentification/@EventDateTime: ") + std::string(kValid);
    auto time = parse_rfc3339(m.time);
    // xs:dateTime may leave out the zone; senders that do mean UTC.
    if (!time && m.time.size() >= 19 && m.time.find_first_of("Zz+", 19) == npos && m.time.find('-', 19) == npos)
      time = parse_rfc3339(m.time + "Z");
    if (!time) return "EventDateTime " + quote(m.time) + " is not a date and time (2026-01-05T10:00:00Z)";
    e.time = *time;
    e.action = m.action.empty() ? "read" : action_name(m.action);
    if (e.action.empty()) return "EventActionCode " + quote(m.action) + " is not one of C, R, U, D, E";
    e.outcome = m.outcome.empty() ? "success" : outcome_name(m.outcome);
    if (e.outcome.empty()) return "EventOutcomeIndicator " + quote(m.outcome) + " is not one of 0, 4, 8, 12";
    const auto& who = m.requestor ? m.requestor : m.default_requestor;
    if (!who || who->user.empty()) return std::string("no requesting user: ") + std::string(kValid);
    e.user = who->user;
    e.role = who->role;
    const std::string& type = who->access_point_type;
    if (type == "2" || (type.empty() && looks_like_address(who->access_point)))
      e.source_ip = who->access_point;
    else if (type == "1" || type.empty())
      e.device = who->access_point;
    if (e.device.empty()) e.device = m.other_machine;
    e.application = m.application;
    // HL7 CX ids ("MRN-1^^^&1.2.3&ISO"): the id is the first component,
    // as FHIR and JSON lines name the same patient.
    if (!m.patient.empty()) e.patient = sink_.key().hash(m.patient.substr(0, m.patient.find('^')));
    e.resource_type = !m.object_text.empty() ? m.object_text : !m.event_text.empty() ? m.event_text : "";
    if (e.resource_type.empty() && !e.patient.empty()) e.resource_type = "Patient";
    return {};
  }

  void fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    XML_StopParser(xml_, XML_FALSE);
  }

  // After a stop expat may still report the rest of the current token.
  bool stopped() const { return !error_.empty() || end_ != npos; }

  void start(std::string_view name, const XML_Char** atts) {
    if (stopped()) return;
    for (const XML_Char** a = atts; *a; a += 2) {
      size_t size = std::strlen(a[1]);
      if (size > kMaxAttribute)
        return fail("attribute " + quote(a[0]) + " is " + std::to_string(size) + " bytes long (at most " +
                    std::to_string(kMaxAttribute) + " in an audit message)");
    }
    if (depth_ >= kMaxDepth)
      return fail("elements nested deeper than " + std::to_string(kMaxDepth) + ": not an audit message");
    Kind parent = depth_ == 0 ? Kind::other : stack_[depth_ - 1];
    Kind kind = Kind::other;
    if (depth_ == 0) {
      if (name != "AuditMessage") return fail("the root element is " + quote(name) + ", not AuditMessage");
      kind = Kind::root;
      root_at_ = start_ + static_cast<size_t>(XML_GetCurrentByteIndex(xml_));
      root_tag_end_ = root_at_ - start_ + static_cast<size_t>(XML_GetCurrentByteCount(xml_));
    } else if (parent == Kind::root) {
      kind = root_child(name, atts);
    } else if (parent == Kind::event && name == "EventID" && msg_.event_text.empty()) {
      msg_.event_text = code_text(atts);
    } else if (parent == Kind::participant && name == "RoleIDCode" && participant_.role.empty()) {
      participant_.role = code_text(atts);
    } else if (parent == Kind::object && name == "ParticipantObjectIDTypeCode" && object_text_.empty()) {
      object_text_ = code_text(atts);
    }
    stack_[depth_++] = kind;
  }

  Kind root_child(std::string_view name, const XML_Char** atts) {
    if (name == "EventIdentification") {
      msg_.time = attribute(atts, "EventDateTime");
      msg_.action = attribute(atts, "EventActionCode");
      msg_.outcome = attribute(atts, "EventOutcomeIndicator");
      return Kind::event;
    }
    if (name == "ActiveParticipant") {
      participant_ = {std::string(first_attribute(atts, {"UserID", "AlternativeUserID", "UserName"})),
                      {},
                      std::string(attribute(atts, "NetworkAccessPointID")),
                      std::string(attribute(atts, "NetworkAccessPointTypeCode")),
                      std::string(attribute(atts, "UserIsRequestor"))};
      return Kind::participant;
    }
    if (name == "AuditSourceIdentification" && msg_.application.empty()) {
      msg_.application = attribute(atts, "AuditSourceID");
    } else if (name == "ParticipantObjectIdentification") {
      object_id_ = attribute(atts, "ParticipantObjectID");
      object_is_patient_ = attribute(atts, "ParticipantObjectTypeCode") == "1" &&
                           attribute(atts, "ParticipantObjectTypeCodeRole") == "1";
      object_text_.clear();
      return Kind::object;
    }
    return Kind::other;
  }

  void end() {
    if (stopped() || depth_ == 0) return;
    Kind kind = stack_[--depth_];
    if (kind == Kind::participant) {
      const std::string& flag = participant_.requestor;
      if (flag == "true" || flag == "1") {
        if (!msg_.requestor) msg_.requestor = participant_;
      } else if (flag.empty()) {
        if (!msg_.default_requestor) msg_.default_requestor = participant_;
      } else if (participant_.access_point_type == "1" && msg_.other_machine.empty()) {
        msg_.other_machine = participant_.access_point;
      }
    } else if (kind == Kind::object) {
      if (object_is_patient_ && msg_.patient.empty())
        msg_.patient = object_id_;
      else if (!object_is_patient_ && msg_.object_text.empty())
        msg_.object_text = object_text_;
    } else if (kind == Kind::root) {
      size_t index = static_cast<size_t>(XML_GetCurrentByteIndex(xml_));
      size_t count = static_cast<size_t>(XML_GetCurrentByteCount(xml_));
      // The end of an empty root element (<AuditMessage/>) has no bytes of its own.
      end_ = count > 0 ? index + count : root_tag_end_;
      XML_StopParser(xml_, XML_FALSE);
    }
  }

  static void XMLCALL on_start(void* self, const XML_Char* name, const XML_Char** atts) {
    static_cast<AtnaReader*>(self)->start(local_name(name), atts);
  }
  static void XMLCALL on_end(void* self, const XML_Char*) { static_cast<AtnaReader*>(self)->end(); }
  static void XMLCALL on_doctype(void* self, const XML_Char*, const XML_Char*, const XML_Char*, int) {
    static_cast<AtnaReader*>(self)->doctype_ = true;
    static_cast<AtnaReader*>(self)->fail("document type declarations are not allowed in audit messages");
  }
  static void XMLCALL on_entity(void* self, const XML_Char*, int, const XML_Char*, int, const XML_Char*,
                                const XML_Char*, const XML_Char*, const XML_Char*) {
    static_cast<AtnaReader*>(self)->fail("entity declarations are not allowed in audit messages");
  }

  std::string_view text_;
  ParseSink& sink_;
  XML_Parser xml_;
  ForwardSearch start_tag_, end_tag_, declaration_, newline_;
  size_t line_ = 1, counted_ = 0;  // the line at offset counted_

  // The message being parsed.
  Message msg_;
  Participant participant_;
  std::string object_id_, object_text_;
  bool object_is_patient_ = false;
  std::array<Kind, kMaxDepth> stack_{};
  size_t depth_ = 0;
  size_t start_ = 0;
  size_t root_at_ = npos;    // where its <AuditMessage> opened
  size_t root_tag_end_ = 0;  // past that start tag, from start_
  bool doctype_ = false;     // refused for a document type declaration
  size_t end_ = npos;        // past the root's end tag, from start_
  std::string error_;
};

}  // namespace

void parse_atna(std::string_view text, ParseSink& sink) { AtnaReader(text, sink).run(); }

}  // namespace wardline::ehr
