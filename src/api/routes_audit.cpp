// /api/v1/audit: tree heads, proofs, entries and search for auditors.
#include "api/router.h"
#include "audit/audit.h"

namespace wardline::api {
namespace {

Result<uint64_t> parse_number(const std::string& text, const char* name) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
    return make_error("invalid_field", std::string("'") + name + "' must be a non-negative integer", name);
  return static_cast<uint64_t>(std::stoull(text));
}

Result<uint64_t> number_param(const Call& call, const char* name, std::optional<uint64_t> fallback = std::nullopt) {
  std::string text = call.query(name);
  if (text.empty() && fallback) return *fallback;
  if (text.empty()) return make_error("missing_field", std::string("query parameter '") + name + "' is required", name);
  return parse_number(text, name);
}

nlohmann::json entry_json(const audit::AuditEntry& e) {
  return {{"index", e.seq}, {"leaf", e.data}, {"leaf_hash", audit::to_hex(audit::leaf_hash(e.data))},
          {"event", nlohmann::json::parse(e.data)}};
}

}  // namespace

void add_audit_routes(std::vector<Route>& routes, Services& s) {
  routes.push_back({"GET", "/api/v1/audit/sths", Permission::audit_read, [&s](const Call& call) -> Result<Reply> {
    auto limit = page_limit(call);
    if (!limit) return limit.error();
    auto page = s.audit.tree_heads(call.query("cursor"), *limit);
    if (!page) return page.error();
    nlohmann::json items = nlohmann::json::array();
    for (const auto& h : page->heads) items.push_back(nlohmann::json::parse(audit::sth_to_json(h)));
    return Reply{200, {{"items", items}, {"next_cursor", page->next_cursor}}};
  }});
  routes.push_back({"GET", "/api/v1/audit/sth", Permission::audit_read, [&s](const Call&) -> Result<Reply> {
    auto sth = s.audit.latest_sth();
    if (!sth) return sth.error();
    return Reply{200, nlohmann::json::parse(audit::sth_to_json(*sth))};
  }});

  routes.push_back({"GET", "/api/v1/audit/pubkey", Permission::audit_read, [&s](const Call&) -> Result<Reply> {
    return Reply{200, {{"algorithm", "Ed25519"}, {"public_key_pem", s.audit.public_key_pem()}}};
  }});

  routes.push_back({"GET", "/api/v1/audit/proofs/inclusion", Permission::audit_read, [&s](const Call& call) -> Result<Reply> {
    auto index = number_param(call, "index");
    if (!index) return index.error();
    auto size = number_param(call, "size", 0);  // 0: the current size
    if (!size) return size.error();
    auto json = s.audit.inclusion_proof_json(*index, *size);
    if (!json) return json.error();
    return Reply{200, nlohmann::json::parse(*json)};
  }});

  routes.push_back({"GET", "/api/v1/audit/proofs/consistency", Permission::audit_read, [&s](const Call& call) -> Result<Reply> {
    auto from = number_param(call, "from");
    if (!from) return from.error();
    auto to = number_param(call, "to");
    if (!to) return to.error();
    auto json = s.audit.consistency_proof_json(*from, *to);
    if (!json) return json.error();
    return Reply{200, nlohmann::json::parse(*json)};
  }});

  // A page of audit entries; `type` empty: the caller's ?type= filter.
  auto search = [&s](const Call& call, const std::string& type) -> Result<Reply> {
    auto limit = page_limit(call);
    if (!limit) return limit.error();
    audit::SearchFilter f{type.empty() ? call.query("type") : type, call.query("actor"), call.query("subject"),
                          call.query("since"), call.query("until")};
    auto page = s.audit.search(f, call.query("cursor"), *limit);
    if (!page) return page.error();
    nlohmann::json items = nlohmann::json::array();
    for (const auto& e : page->entries) items.push_back(entry_json(e));
    return Reply{200, {{"items", items},
                       {"next_cursor", page->next_cursor.empty() ? nlohmann::json(nullptr) : nlohmann::json(page->next_cursor)}}};
  };
  routes.push_back({"GET", "/api/v1/audit/events", Permission::audit_read, [search](const Call& call) { return search(call, ""); }});
  // Analysts investigate sign-ins too: the access decisions alone, without the rest of the log.
  routes.push_back({"GET", "/api/v1/access/decisions", Permission::incidents_read,
                    [search](const Call& call) { return search(call, "access.decision"); }});

  routes.push_back({"GET", "/api/v1/audit/events/{index}", Permission::audit_read, [&s](const Call& call) -> Result<Reply> {
    auto index = parse_number(call.path_param(0), "index");
    if (!index) return index.error();
    auto e = s.audit.entry(*index);
    if (!e) return e.error();
    return Reply{200, entry_json(*e)};
  }});
}

}  // namespace wardline::api
