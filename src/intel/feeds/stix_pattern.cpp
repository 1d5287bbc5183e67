// STIX 2.1 patterning (STIX 2.1 §9): a recursive-descent parser for the
// whole grammar, then a check of what a value matcher can honour. A pattern
// is representable when it is one observation, or observations joined by OR,
// without qualifiers, and inside each observation the comparisons are joined
// by OR and each is '=', IN or ISSUBSET on a network or file-hash property.
// Everything else (AND across or inside observations, FOLLOWEDBY, WITHIN,
// REPEATS, MATCHES, LIKE, negation) needs a correlation engine: it is
// reported, with the reason, instead of being half-honoured.
#include <cstdint>
#include <vector>

#include "core/strings.h"
#include "intel/intel.h"

namespace wardline::intel {
namespace {

struct Comparison {
  std::string path;
  bool negated = false;
  std::string op;
  std::vector<std::string> values;  // string literals unescaped; other literals as written
  bool strings = true;              // every value was a plain string literal
};

struct CompExpr {
  enum Kind { leaf, all, any } kind = leaf;
  Comparison cmp;
  std::vector<CompExpr> children;
};

struct ObsExpr {
  enum Kind { observation, all, any, sequence } kind = observation;
  CompExpr comp;
  std::vector<ObsExpr> children;
  bool qualified = false;
};

constexpr int kMaxDepth = 64;

class PatternParser {
 public:
  explicit PatternParser(std::string_view s) : s_(s) {}

  Result<ObsExpr> parse() {
    ObsExpr e;
    if (!observation_or(e, 0)) return error();
    skip_space();
    if (pos_ != s_.size()) return fail("unexpected '" + std::string(s_.substr(pos_, 20)) + "'"), error();
    return e;
  }

 private:
  Error error() const { return make_error("invalid_pattern", "STIX pattern, at character " + std::to_string(err_pos_ + 1) + ": " + err_); }

  bool fail(std::string why) {
    if (err_.empty()) {
      err_ = std::move(why);
      err_pos_ = pos_;
    }
    return false;
  }

  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }

  // A keyword only when followed by a non-identifier character.
  bool keyword(std::string_view kw) {
    skip_space();
    if (s_.substr(pos_, kw.size()) != kw) return false;
    size_t after = pos_ + kw.size();
    if (after < s_.size() && (ascii_alnum(s_[after]) || s_[after] == '_' || s_[after] == '-')) return false;
    pos_ = after;
    return true;
  }

  bool symbol(char c) {
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  template <class Node, class Child>
  bool joined(Node& out, int depth, typename Node::Kind kind, std::string_view kw, bool (PatternParser::*child)(Child&, int)) {
    Child first;
    if (!(this->*child)(first, depth)) return false;
    if (!keyword(kw)) {
      out = std::move(first);
      return true;
    }
    out = Node{};
    out.kind = kind;
    out.children.push_back(std::move(first));
    do {
      Child next;
      if (!(this->*child)(next, depth)) return false;
      out.children.push_back(std::move(next));
    } while (keyword(kw));
    return true;
  }

  bool observation_or(ObsExpr& out, int depth) {
    if (depth > kMaxDepth) return fail("nested too deeply");
    return joined(out, depth, ObsExpr::any, "OR", &PatternParser::observation_and);
  }
  bool observation_and(ObsExpr& out, int depth) { return joined(out, depth, ObsExpr::all, "AND", &PatternParser::observation_seq); }
  bool observation_seq(ObsExpr& out, int depth) {
    return joined(out, depth, ObsExpr::sequence, "FOLLOWEDBY", &PatternParser::observation_qualified);
  }

  bool observation_qualified(ObsExpr& out, int depth) {
    if (symbol('[')) {
      if (!comparison_or(out.comp, depth + 1)) return false;
      if (!symbol(']')) return fail("expected ']' to close the observation");
    } else if (symbol('(')) {
      if (!observation_or(out, depth + 1)) return false;
      if (!symbol(')')) return fail("expected ')'");
    } else {
      return fail("expected '[' to start an observation");
    }
    for (;;) {
      if (keyword("WITHIN")) {
        if (!number() || !keyword("SECONDS")) return fail("expected WITHIN <number> SECONDS");
      } else if (keyword("REPEATS")) {
        if (!number() || !keyword("TIMES")) return fail("expected REPEATS <integer> TIMES");
      } else if (keyword("START")) {
        std::string v;
        bool plain;
        if (!literal(v, plain) || !keyword("STOP") || !literal(v, plain)) return fail("expected START t'...' STOP t'...'");
      } else {
        break;
      }
      out.qualified = true;
    }
    return true;
  }

  bool comparison_or(CompExpr& out, int depth) {
    if (depth > kMaxDepth) return fail("nested too deeply");
    return joined(out, depth, CompExpr::any, "OR", &PatternParser::comparison_and);
  }
  bool comparison_and(CompExpr& out, int depth) { return joined(out, depth, CompExpr::all, "AND", &PatternParser::comparison_test); }

  bool comparison_test(CompExpr& out, int depth) {
    if (symbol('(')) {
      if (!comparison_or(out, depth + 1)) return false;
      return symbol(')') || fail("expected ')'");
    }
    out.kind = CompExpr::leaf;
    Comparison& c = out.cmp;
    if (keyword("EXISTS")) {
      c.op = "EXISTS";
      return path(c.path);
    }
    if (!path(c.path)) return false;
    c.negated = keyword("NOT");
    skip_space();
    static constexpr std::string_view kSymbols[] = {"!=", "<=", ">=", "=", "<", ">"};
    static constexpr std::string_view kWords[] = {"IN", "LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET"};
    for (auto sym : kSymbols)
      if (s_.substr(pos_, sym.size()) == sym) {
        c.op = std::string(sym);
        pos_ += sym.size();
        break;
      }
    if (c.op.empty())
      for (auto w : kWords)
        if (keyword(w)) {
          c.op = std::string(w);
          break;
        }
    if (c.op.empty()) return fail("expected a comparison operator (=, !=, <, >, IN, LIKE, MATCHES, ISSUBSET, ISSUPERSET)");
    if (c.op == "IN") {
      if (!symbol('(')) return fail("IN needs a list: ('a', 'b')");
      do {
        std::string v;
        bool plain;
        if (!literal(v, plain)) return false;
        c.values.push_back(std::move(v));
        c.strings &= plain;
      } while (symbol(','));
      return symbol(')') || fail("expected ')' to close the IN list");
    }
    std::string v;
    bool plain;
    if (!literal(v, plain)) return false;
    c.values.push_back(std::move(v));
    c.strings = plain;
    return true;
  }

  // object-type ':' property path: type and names of letters, digits, '-',
  // '_'; components joined by '.', quoted names ('SHA-256'), [n] or [*].
  bool path(std::string& out) {
    skip_space();
    size_t start = pos_;
    while (pos_ < s_.size() && (ascii_alnum(s_[pos_]) || s_[pos_] == '-' || s_[pos_] == '_')) ++pos_;
    if (pos_ == start || pos_ >= s_.size() || s_[pos_] != ':') return fail("expected an object path such as domain-name:value");
    ++pos_;
    bool component = true;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (ascii_alnum(c) || c == '_' || c == '-') {
        ++pos_;
      } else if (c == '\'' && component) {
        size_t close = s_.find('\'', pos_ + 1);
        if (close == std::string_view::npos) return fail("unclosed quoted property name");
        pos_ = close + 1;
      } else if (c == '.') {
        ++pos_;
      } else if (c == '[') {
        size_t close = s_.find(']', pos_);
        if (close == std::string_view::npos) return fail("unclosed '['");
        pos_ = close + 1;
      } else {
        break;
      }
    }
    out = std::string(s_.substr(start, pos_ - start));
    return true;
  }

  bool number() {
    skip_space();
    size_t start = pos_;
    if (pos_ < s_.size() && (s_[pos_] == '-' || s_[pos_] == '+')) ++pos_;
    while (pos_ < s_.size() && (ascii_digit(s_[pos_]) || s_[pos_] == '.')) ++pos_;
    return pos_ > start;
  }

  // 'string' (\' and \\ escapes), h'hex', b'base64', t'timestamp', numbers, true/false.
  bool literal(std::string& out, bool& plain) {
    skip_space();
    plain = false;
    if (pos_ >= s_.size()) return fail("expected a value");
    char c = s_[pos_];
    if ((c == 'h' || c == 'b' || c == 't') && pos_ + 1 < s_.size() && s_[pos_ + 1] == '\'') {
      ++pos_;
      return quoted(out);
    }
    if (c == '\'') {
      plain = true;
      return quoted(out);
    }
    if (keyword("true") || keyword("false")) return true;
    size_t start = pos_;
    if (number()) {
      out = std::string(s_.substr(start, pos_ - start));
      return true;
    }
    return fail("expected a value: 'string', number, true/false, h'..', b'..' or t'..'");
  }

  bool quoted(std::string& out) {
    ++pos_;  // opening quote
    out.clear();
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (c == '\\') {
        if (pos_ >= s_.size()) break;
        char n = s_[pos_++];
        if (n != '\'' && n != '\\') return fail("only \\' and \\\\ may be escaped in a STIX string");
        out += n;
      } else if (c == '\'') {
        return true;
      } else {
        out += c;
      }
    }
    return fail("unclosed string literal");
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::string err_;
  size_t err_pos_ = 0;
};

// The indicator type a property path holds, or nullopt.
std::optional<IndicatorType> path_type(std::string_view path, std::string_view value) {
  auto ip_or_domain = [&]() {
    if (value.find(':') != std::string_view::npos) return IndicatorType::ipv6;
    return value.find_first_not_of("0123456789./") == std::string_view::npos ? IndicatorType::ipv4 : IndicatorType::domain;
  };
  if (path == "url:value") return IndicatorType::url;
  if (path == "domain-name:value") return IndicatorType::domain;
  if (path == "ipv4-addr:value") return IndicatorType::ipv4;
  if (path == "ipv6-addr:value") return IndicatorType::ipv6;
  if (path == "email-addr:value" || path == "email-message:from_ref.value" || path == "email-message:sender_ref.value")
    return IndicatorType::email;
  if (path == "network-traffic:dst_ref.value" || path == "network-traffic:src_ref.value") return ip_or_domain();
  if (path.starts_with("file:hashes.")) {
    std::string algo;
    for (char c : path.substr(12))
      if (c != '\'' && c != '-') algo += ascii_lower(c);
    if (algo == "sha256") return IndicatorType::sha256;
    if (algo == "sha1") return IndicatorType::sha1;
    if (algo == "md5") return IndicatorType::md5;
  }
  return std::nullopt;
}

// "network-traffic:dst_ref.type = 'ipv4-addr'": a constraint on the type of
// the referenced object that MISP adds next to the value; it narrows nothing.
bool type_constraint(const Comparison& c) {
  return !c.negated && c.op == "=" && (c.path.ends_with("_ref.type") || c.path.ends_with(":type"));
}

// Adds the IOCs of one comparison, or says why it cannot be one.
std::string comparison_iocs(const Comparison& c, StixPatternIocs& out) {
  if (c.negated) return "negated comparison (NOT)";
  if (c.op != "=" && c.op != "IN" && c.op != "ISSUBSET") return "operator " + c.op + " is not an exact value";
  if (!c.strings) return "non-string value";
  if (c.path.find("to_refs") != std::string::npos || c.path.find("cc_refs") != std::string::npos ||
      c.path.find("bcc_refs") != std::string::npos)
    return "recipients of a message are victims, not indicators (" + c.path + ")";
  for (const auto& v : c.values) {
    auto type = path_type(c.path, v);
    if (!type) return "property " + c.path + " is not a network or file-hash indicator";
    if (c.op == "ISSUBSET" && *type != IndicatorType::ipv4 && *type != IndicatorType::ipv6) return "ISSUBSET on a non-IP property";
    out.iocs.emplace_back(*type, v);
  }
  return {};
}

std::string comp_iocs(const CompExpr& e, StixPatternIocs& out) {
  switch (e.kind) {
    case CompExpr::leaf: return comparison_iocs(e.cmp, out);
    case CompExpr::any:
      for (const auto& c : e.children)
        if (auto why = comp_iocs(c, out); !why.empty()) return why;
      return {};
    case CompExpr::all: {
      const CompExpr* value = nullptr;
      for (const auto& c : e.children) {
        if (c.kind == CompExpr::leaf && type_constraint(c.cmp)) continue;
        if (value) return "AND inside an observation needs several properties to hold at once";
        value = &c;
      }
      return value ? comp_iocs(*value, out) : "only type constraints, no value";
    }
  }
  return {};
}

std::string obs_iocs(const ObsExpr& e, StixPatternIocs& out) {
  if (e.qualified) return "qualifiers (WITHIN, REPEATS, START/STOP) need a correlation window";
  switch (e.kind) {
    case ObsExpr::observation: return comp_iocs(e.comp, out);
    case ObsExpr::any:
      for (const auto& c : e.children)
        if (auto why = obs_iocs(c, out); !why.empty()) return why;
      return {};
    case ObsExpr::all: return "AND between observations needs all of them to be seen";
    case ObsExpr::sequence: return "FOLLOWEDBY needs the observations in order";
  }
  return {};
}

}  // namespace

Result<StixPatternIocs> stix_pattern_iocs(std::string_view pattern) {
  if (pattern.size() > 1 << 20) return make_error("invalid_pattern", "STIX pattern longer than 1 MiB");
  auto ast = PatternParser(pattern).parse();
  if (!ast) return ast.error();
  StixPatternIocs out;
  out.unsupported = obs_iocs(*ast, out);
  if (!out.unsupported.empty()) out.iocs.clear();
  return out;
}

}  // namespace wardline::intel
