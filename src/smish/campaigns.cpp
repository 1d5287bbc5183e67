// Campaigns over stored reports: online assignment, analyst triage.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>

#include "core/ids.h"
#include "core/keyring.h"
#include "core/time.h"
#include "smish/keyset_cursor.h"
#include "smish/smish.h"
#include "store/store.h"

namespace wardline::smish {
namespace {

constexpr size_t kListCap = 1000;  // entries kept per summary list
const std::vector<std::string> kStatuses = {"new", "investigating", "confirmed", "false_positive", "closed"};
constexpr const char* kCampaignColumns = "id, status, first_seen, last_seen, report_count, summary";
// The columns a summary is built from, and the report fields they carry.
constexpr const char* kMemberColumns =
    "id, reporter, channel, sender_enc, body_enc, department, staff_role, created_at, analysis";

// A report younger than this is placed only by its own request: until its
// audit record is written it may still be withdrawn.
constexpr int64_t kSettleSeconds = 60;

// Placements, merges, splits and status changes take turns across daemons
// (a row lock on PostgreSQL; SQLite transactions take turns anyway).
Status lock_placements(store::Executor& tx) {
  auto n = tx.execute("UPDATE smish_cluster_head SET placed = placed WHERE id = 1");
  return n ? Status() : Status(n.error());
}

int verdict_rank(const std::string& v) { return v == "malicious" ? 2 : v == "suspicious" ? 1 : 0; }

void add_capped(std::vector<std::string>& list, const std::string& value) {
  if (value.empty() || list.size() >= kListCap) return;
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

nlohmann::json summary_json(const Campaign& c) {
  // Senders are left out: they are encrypted in smish_reports and decrypted
  // only for a campaign's detail.
  return {{"reporters", c.reporters}, {"departments", c.departments}, {"roles", c.roles},   {"channels", c.channels},
          {"categories", c.categories},   {"domains", c.domains}, {"urls", c.urls},
          {"highest_verdict", c.highest_verdict}, {"highest_score", c.highest_score}};
}

Campaign campaign_from_row(const store::Row& r) {
  Campaign c;
  c.id = r.text(0);
  c.status = r.text(1);
  c.first_seen = r.integer(2);
  c.last_seen = r.integer(3);
  c.reports = static_cast<int>(r.integer(4));
  auto j = nlohmann::json::parse(r.text(5), nullptr, false);
  if (!j.is_object()) return c;
  auto list = [&](const char* key) { return j.value(key, std::vector<std::string>{}); };
  c.reporters = list("reporters");
  c.departments = list("departments");
  c.roles = list("roles");
  c.channels = list("channels");
  c.categories = list("categories");
  c.domains = list("domains");
  c.urls = list("urls");
  c.highest_verdict = j.value("highest_verdict", "");
  c.highest_score = j.value("highest_score", 0);
  return c;
}

}  // namespace

struct CampaignBook::Impl {
  store::Store& store;
  std::shared_ptr<const Keyring> keyring;
  ClusterParams params;
  std::shared_ptr<const Analyzer> analyzer;
  std::mutex mu;
  std::unique_ptr<CampaignClusterer> clusterer;
  std::vector<std::string> report_of_index;  // clusterer index -> report id
  // Cluster (its earliest index) -> its latest member's index. A cluster
  // absorbed into another keeps a stale entry, never looked up again.
  std::unordered_map<size_t, size_t> latest;
  int64_t replayed = 0;  // numbered placements the clusterer holds
  bool stale = false;    // a failed sync left placements in the clusterer that were rolled back
  Placements placements;  // committed, not yet handed to the caller (assign, rebuild)

  Impl(store::Store& s, std::shared_ptr<const Keyring> k, ClusterParams p, std::shared_ptr<const Analyzer> a)
      : store(s), keyring(std::move(k)), params(p), analyzer(std::move(a)) {
    reset();
  }
  void reset() {
    clusterer = std::make_unique<CampaignClusterer>(params, analyzer->organization(), analyzer->rules());
    report_of_index.clear();
    latest.clear();
    replayed = 0;
    stale = false;
  }

  // Adds one member report (a row of kMemberColumns) to a summary.
  // `body` is the row's message, already decrypted by the caller.
  void add_member(Campaign& c, const store::Row& r, const std::string& body) {
    int64_t at = r.integer(7);
    c.first_seen = c.reports == 0 ? at : std::min(c.first_seen, at);
    c.last_seen = std::max(c.last_seen, at);
    ++c.reports;
    add_capped(c.reporters, r.text(1));
    add_capped(c.channels, r.text(2));
    if (!r.is_null(5)) add_capped(c.departments, r.text(5));
    if (!r.is_null(6)) add_capped(c.roles, r.text(6));
    for (const auto& d : extract(normalize(body)).domains) add_capped(c.domains, registrable_domain(d));
    Verdict a = verdict_from(r.text(8));
    for (const auto& cat : a.categories) add_capped(c.categories, cat);
    for (const auto& u : a.urls) add_capped(c.urls, u);
    std::string v = a.verdict.empty() ? "benign" : a.verdict;
    if (c.highest_verdict.empty() || verdict_rank(v) > verdict_rank(c.highest_verdict)) c.highest_verdict = v;
    c.highest_score = std::max(c.highest_score, a.score);
  }

  Result<std::string> body_of(const store::Row& r) const {
    auto body = keyring->open_value("smish_reports.body", r.text(4));
    if (!body) return make_error(body.error().code, "report " + r.text(0) + ": " + body.error().message);
    return body;
  }

  Status save(store::Executor& tx, const Campaign& c) {
    auto n = tx.execute("UPDATE smish_campaigns SET first_seen = ?, last_seen = ?, report_count = ?, summary = ?, updated_at = ? "
                        "WHERE id = ?",
                        {c.first_seen, c.last_seen, int64_t{c.reports}, summary_json(c).dump(), unix_now(), c.id});
    if (!n) return n.error();
    if (*n == 0) return make_error("not_found", "no campaign '" + c.id + "' (merged away meanwhile?)");
    return {};
  }

  Result<Campaign> load(store::Executor& ex, const std::string& id) {
    auto rows = ex.query(std::string("SELECT ") + kCampaignColumns + " FROM smish_campaigns WHERE id = ?", {id});
    if (!rows) return rows.error();
    if (rows->empty()) return make_error("not_found", "no campaign '" + id + "'");
    return campaign_from_row(rows->front());
  }

  // The summary again from every member (after a merge or split).
  Status recompute(store::Executor& tx, const std::string& id) {
    auto c = load(tx, id);
    if (!c) return c.error();
    Campaign fresh;
    fresh.id = c->id;
    fresh.status = c->status;
    auto rows = tx.query(std::string("SELECT ") + kMemberColumns + " FROM smish_reports WHERE campaign_id = ? ORDER BY created_at, id", {id});
    if (!rows) return rows.error();
    for (const auto& r : *rows) {
      auto body = body_of(r);
      if (!body) return body.error();
      add_member(fresh, r, *body);
    }
    return save(tx, fresh);
  }

  Status timeline(store::Executor& tx, const std::string& id, const std::string& actor, const std::string& kind,
                  const std::string& text) {
    // seq orders entries written within one second (changes are serialised by `mu`).
    auto n = tx.execute("INSERT INTO smish_campaign_timeline (seq, campaign_id, at, actor, kind, text) "
                        "SELECT COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ? FROM smish_campaign_timeline",
                        {id, unix_now(), actor, kind, text});
    return n ? Status() : Status(n.error());
  }

  Status create(store::Executor& tx, const std::string& id, const std::string& actor, const std::string& why) {
    auto n = tx.execute("INSERT INTO smish_campaigns (id, status, first_seen, last_seen, report_count, summary, created_at, updated_at) "
                        "VALUES (?, 'new', 0, 0, 0, '{}', ?, ?)",
                        {id, unix_now(), unix_now()});
    if (!n) return n.error();
    return timeline(tx, id, actor, "created", why);
  }

  // Moves every report and timeline entry of campaign `from` to `into`,
  // removes `from`, and notes it in the timeline (summaries are left to recompute).
  Status absorb(store::Executor& tx, const std::string& into, const std::string& from, const std::string& actor,
                const std::string& why) {
    for (const char* sql : {"UPDATE smish_reports SET campaign_id = ? WHERE campaign_id = ?",
                            "UPDATE smish_campaign_timeline SET campaign_id = ? WHERE campaign_id = ?"})
      if (auto n = tx.execute(sql, {into, from}); !n) return n.error();
    if (auto n = tx.execute("DELETE FROM smish_campaigns WHERE id = ?", {from}); !n) return n.error();
    return timeline(tx, into, actor, "merge", "merged " + from + " into " + into + (why.empty() ? "" : ": " + why));
  }

  // Adds a stored report (a row of kMemberColumns) to the clusterer; its
  // index is the report's position in `report_of_index`.
  Result<size_t> cluster(const store::Row& r, const std::string& body, std::vector<size_t>* joined = nullptr) {
    std::string sender;
    if (!r.is_null(3)) {
      auto s = keyring->open_value("smish_reports.sender", r.text(3));
      if (!s) return make_error(s.error().code, "report " + r.text(0) + ": " + s.error().message);
      sender = *s;
    }
    size_t index = clusterer->add({body, sender, r.integer(7)}, joined);
    report_of_index.push_back(r.text(0));
    return index;
  }

  // Notes that campaign `c` grew from `before` reports in this sync.
  void grew(const Campaign& c, int before) {
    auto it = std::find_if(placements.grown.begin(), placements.grown.end(), [&](const auto& g) { return g.campaign.id == c.id; });
    if (it == placements.grown.end()) placements.grown.push_back({c, before});
    else it->campaign = c;
  }

  // The campaign a newly clustered report joins: that of the cluster(s) it
  // joined, as each cluster's latest report now stands (analysts may have
  // merged or split it since). Campaigns analysts already handled (closed,
  // confirmed, false positive...) or removed are left alone: a lure that
  // comes back is news again, so with no campaign still "new" it starts
  // one. With several, the report links them: they become the earliest.
  Result<std::string> file(store::Executor& tx, const store::Row& r, const std::string& body, std::vector<size_t> joined) {
    std::sort(joined.begin(), joined.end());
    std::vector<Campaign> live;
    for (size_t root : joined) {
      auto it = latest.find(root);
      auto current = tx.query("SELECT campaign_id FROM smish_reports WHERE id = ?",
                              {report_of_index[it == latest.end() ? root : it->second]});
      if (!current) return current.error();
      if (current->empty() || current->front().is_null(0)) continue;
      auto existing = load(tx, current->front().text(0));
      if (!existing && existing.error().code != "not_found") return existing.error();
      bool seen = existing && std::any_of(live.begin(), live.end(), [&](const Campaign& c) { return c.id == existing->id; });
      if (existing && existing->status == "new" && !seen) live.push_back(*existing);
    }
    std::optional<Campaign> c;
    int before = 0;
    if (live.empty()) {
      std::string id = new_id("cmp");
      if (Status cr = create(tx, id, "system", "first report " + r.text(0)); !cr) return cr.error();
      c = Campaign{};  // as create() stored it: no need to read it back
      c->id = id;
      c->status = "new";
    } else if (live.size() == 1) {
      c = live.front();
      before = c->reports;
    } else {
      before = live.front().reports;
      for (size_t i = 1; i < live.size(); ++i) {
        if (Status m = absorb(tx, live.front().id, live[i].id, "system", "report " + r.text(0) + " belongs to both"); !m) return m.error();
        placements.merges.push_back({live.front().id, live[i].id, r.text(0)});
        std::erase_if(placements.grown, [&](const auto& g) { return g.campaign.id == live[i].id; });
      }
      if (Status rc = recompute(tx, live.front().id); !rc) return rc.error();
      auto merged = load(tx, live.front().id);
      if (!merged) return merged.error();
      c = *merged;
    }
    add_member(*c, r, body);
    if (Status sv = save(tx, *c); !sv) return sv.error();
    grew(*c, before);
    return c->id;
  }

  // Adds to the clusterer the placements made (elsewhere, or before a
  // restart) since the last call, in the order they were made. Needs no
  // lock: placements are committed in order, one transaction at a time.
  Status replay(store::Executor& ex) {
    auto done = ex.query(std::string("SELECT ") + kMemberColumns + ", cluster_seq FROM smish_reports WHERE cluster_seq > ? ORDER BY cluster_seq",
                         {replayed});
    if (!done) return done.error();
    for (const auto& r : *done) {
      auto body = body_of(r);
      if (!body) return body.error();
      auto index = cluster(r, *body);
      if (!index) return index.error();
      latest[clusterer->campaign_of(*index)] = *index;
      replayed = r.integer(9);
    }
    return {};
  }

  // Brings the clusterer up to date with every placement in the store, then
  // places report `own` and the reports filed over kSettleSeconds ago that
  // nobody placed (oldest first; those filed with a campaign before
  // placements were numbered keep it), numbering each placement. The
  // placing transaction holds the placement lock (the smish_cluster_head
  // row), so daemons sharing a database take turns and replay the same
  // clusters. Returns `own`'s campaign (none when `own` is empty); what the
  // placements did accumulates in `placements` until the caller takes it.
  Result<std::optional<Campaign>> sync(const std::string& own) {
    if (stale) reset();
    if (Status r = replay(store); !r) return r.error();  // the bulk, before taking the lock
    bool placed_any = false;
    Placements committed = placements;
    std::optional<Campaign> own_campaign;
    std::optional<Error> own_problem;  // reported after the others' placements are committed
    Status s = store.transaction([&](store::Executor& tx) -> Status {
      if (Status l = lock_placements(tx); !l) return l;
      auto head = tx.query("SELECT placed FROM smish_cluster_head WHERE id = 1");
      if (!head) return head.error();
      if (head->empty()) return make_error("store_corrupt", "smish_cluster_head row is missing; run 'wardline db migrate'");
      int64_t placed = head->front().integer(0);
      if (Status r = replay(tx); !r) return r;
      auto waiting = tx.query(std::string("SELECT ") + kMemberColumns +
                                  ", campaign_id FROM smish_reports WHERE cluster_seq IS NULL AND (id = ? OR created_at <= ?) "
                                  "ORDER BY created_at, id",
                              {own, unix_now() - kSettleSeconds});
      if (!waiting) return waiting.error();
      std::optional<std::string> own_skipped;  // why `own` was left without a campaign
      auto skip = [&](const store::Row& r, const Error& why) {
        placements.skipped.push_back(why.message);
        if (r.text(0) == own) own_skipped = why.message;
      };
      for (const auto& r : *waiting) {
        auto body = body_of(r);
        if (!body) {
          skip(r, body.error());
          continue;
        }
        std::vector<size_t> joined;
        auto index = cluster(r, *body, &joined);
        if (!index) {
          skip(r, index.error());
          continue;
        }
        placed_any = true;
        auto campaign = r.is_null(9) ? file(tx, r, *body, std::move(joined)) : Result<std::string>(r.text(9));
        if (!campaign) return campaign.error();
        latest[clusterer->campaign_of(*index)] = *index;
        auto u = tx.execute("UPDATE smish_reports SET campaign_id = ?, cluster_seq = ? WHERE id = ?", {*campaign, ++placed, r.text(0)});
        if (!u) return u.error();
        replayed = placed;
      }
      auto u = tx.execute("UPDATE smish_cluster_head SET placed = ? WHERE id = 1", {placed});
      if (!u) return u.error();
      if (own.empty()) return {};
      auto mine = tx.query("SELECT campaign_id FROM smish_reports WHERE id = ?", {own});
      if (!mine) return mine.error();
      if (mine->empty()) {
        own_problem = make_error("not_found", "no report '" + own + "'");
      } else if (mine->front().is_null(0)) {
        own_problem = make_error("campaign_unavailable", own_skipped.value_or("report " + own + " was not placed"));
      } else {
        auto c = load(tx, mine->front().text(0));
        if (!c) return c.error();
        own_campaign = *c;
      }
      return {};
    });
    if (!s) {
      if (placed_any) stale = true;  // rolled back, but still in the clusterer: replay from scratch next time
      placements = std::move(committed);
      return s.error();
    }
    if (own_problem) return *own_problem;
    return own_campaign;
  }
};

Result<std::vector<LabeledText>> analyst_labels(store::Store& store, const Keyring& keyring) {
  // A report's own label wins over its campaign's status: one legitimate
  // message can sit in a confirmed campaign, and the other way round.
  auto rows = store.query(
      "SELECT r.id, r.body_enc, COALESCE(r.analyst_label, c.status) AS label FROM smish_reports r "
      "LEFT JOIN smish_campaigns c ON r.campaign_id = c.id "
      "WHERE COALESCE(r.analyst_label, c.status) IN ('false_positive', 'confirmed', 'smishing') ORDER BY r.created_at, r.id");
  if (!rows) return rows.error();
  std::vector<LabeledText> out;
  for (const auto& r : *rows) {
    auto body = keyring.open_value("smish_reports.body", r.text(1));
    if (!body) return body.error();
    out.push_back({r.text(0), r.text(2) == "false_positive" ? "ham" : "smishing", *body, "", 0});
  }
  return out;
}

Result<std::string> staff_notice(const std::string& tmpl, const Campaign& c) {
  // The lure, not the link trick: "payroll fraud" says more to a nurse than "lookalike domain".
  static const std::set<std::string> link_findings = {"lookalike_domain", "brand_impersonation", "ip_link",
                                                      "link_shortener", "mixed_script", "urgency"};
  std::string category = "phishing";
  for (const auto& cat : c.categories)
    if (!link_findings.count(cat)) {
      category = cat;
      break;
    }
  std::replace(category.begin(), category.end(), '_', ' ');
  const std::pair<std::string, std::string> fields[] = {
      {"{category}", category}, {"{reports}", std::to_string(c.reports)}, {"{staff}", std::to_string(c.reporters.size())}};
  std::string out = tmpl;
  for (const auto& [key, value] : fields)
    for (size_t pos = out.find(key); pos != std::string::npos; pos = out.find(key, pos + value.size()))
      out.replace(pos, key.size(), value);
  if (!extract(normalize(out)).urls.empty())
    return make_error("invalid_config", "the staff notice would contain a link ('" + out +
                                            "'); remove it from smish.campaigns.notify.message");
  return out;
}

CampaignBook::CampaignBook(store::Store& store, std::shared_ptr<const Keyring> keyring, ClusterParams params,
                           std::shared_ptr<const Analyzer> analyzer)
    : impl_(std::make_unique<Impl>(store, std::move(keyring), params, std::move(analyzer))) {}
CampaignBook::~CampaignBook() = default;

Result<Placements> CampaignBook::rebuild() {
  std::lock_guard lock(impl_->mu);
  impl_->reset();
  if (auto s = impl_->sync(""); !s) return s.error();
  return std::exchange(impl_->placements, {});
}

Result<Assignment> CampaignBook::assign(const Report& report) {
  std::lock_guard lock(impl_->mu);
  auto c = impl_->sync(report.id);
  if (!c) return c.error();  // what was placed all the same goes with the next answer
  return Assignment{std::move(**c), std::exchange(impl_->placements, {})};
}

Result<CampaignPage> CampaignBook::list(const std::string& status, const std::string& cursor, int limit) {
  limit = std::clamp(limit, 1, 500);
  std::string sql = std::string("SELECT ") + kCampaignColumns + " FROM smish_campaigns WHERE 1 = 1";
  store::Params params;
  if (!status.empty()) {
    if (std::find(kStatuses.begin(), kStatuses.end(), status) == kStatuses.end())
      return make_error("invalid_status", "status '" + status + "' is not one of new, investigating, confirmed, false_positive, closed",
                        "status");
    sql += " AND status = ?";
    params.push_back(status);
  }
  if (!cursor.empty()) {
    auto c = parse_keyset_cursor(cursor);
    if (!c) return c.error();
    sql += " AND (last_seen < ? OR (last_seen = ? AND id < ?))";
    params.insert(params.end(), {c->at, c->at, c->id});
  }
  sql += " ORDER BY last_seen DESC, id DESC LIMIT " + std::to_string(limit + 1);
  auto rows = impl_->store.query(sql, params);
  if (!rows) return rows.error();
  CampaignPage page;
  for (size_t i = 0; i < rows->size() && i < static_cast<size_t>(limit); ++i) page.campaigns.push_back(campaign_from_row((*rows)[i]));
  if (rows->size() > static_cast<size_t>(limit))
    page.next_cursor = keyset_cursor(page.campaigns.back().last_seen, page.campaigns.back().id);
  return page;
}

Result<CampaignDetail> CampaignBook::get(const std::string& id) {
  auto c = impl_->load(impl_->store, id);
  if (!c) return c.error();
  CampaignDetail d{*c, {}, {}};
  auto reports = impl_->store.query("SELECT id, sender_enc FROM smish_reports WHERE campaign_id = ? ORDER BY created_at, id", {id});
  if (!reports) return reports.error();
  for (const auto& r : *reports) {
    d.report_ids.push_back(r.text(0));
    if (r.is_null(1)) continue;
    auto sender = impl_->keyring->open_value("smish_reports.sender", r.text(1));
    if (!sender) return sender.error();
    add_capped(d.campaign.senders, *sender);
  }
  auto entries = impl_->store.query("SELECT at, actor, kind, text FROM smish_campaign_timeline WHERE campaign_id = ? ORDER BY seq", {id});
  if (!entries) return entries.error();
  for (const auto& e : *entries) d.timeline.push_back({e.integer(0), e.text(1), e.text(2), e.text(3)});
  return d;
}

Result<std::string> CampaignBook::set_status(const std::string& id, const std::string& status, const std::string& actor,
                                             const std::string& note) {
  if (std::find(kStatuses.begin(), kStatuses.end(), status) == kStatuses.end())
    return make_error("invalid_status", "status '" + status + "' is not one of new, investigating, confirmed, false_positive, closed",
                      "status");
  std::lock_guard lock(impl_->mu);
  std::string previous;
  Status s = impl_->store.transaction([&](store::Executor& tx) -> Status {
    if (Status l = lock_placements(tx); !l) return l;
    auto c = impl_->load(tx, id);
    if (!c) return c.error();
    previous = c->status;
    auto n = tx.execute("UPDATE smish_campaigns SET status = ?, updated_at = ? WHERE id = ?", {status, unix_now(), id});
    if (!n) return n.error();
    return impl_->timeline(tx, id, actor, "status", previous + " -> " + status + (note.empty() ? "" : ": " + note));
  });
  if (!s) return s.error();
  return previous;
}

Status CampaignBook::add_note(const std::string& id, const std::string& actor, const std::string& text) {
  if (text.empty() || text.size() > 4000) return make_error("invalid_field", "a note is 1 to 4000 characters", "text");
  std::lock_guard lock(impl_->mu);
  return impl_->store.transaction([&](store::Executor& tx) -> Status {
    if (auto c = impl_->load(tx, id); !c) return c.error();
    return impl_->timeline(tx, id, actor, "note", text);
  });
}

namespace {
bool has_duplicates(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return std::adjacent_find(v.begin(), v.end()) != v.end();
}
}  // namespace

Status CampaignBook::check_merge(const std::string& into, const std::vector<std::string>& from) {
  if (from.empty()) return make_error("missing_field", "name the campaigns to merge in 'campaigns'", "campaigns");
  if (has_duplicates(from)) return make_error("invalid_field", "a campaign is named twice in 'campaigns'", "campaigns");
  if (auto c = impl_->load(impl_->store, into); !c) return c.error();
  for (const auto& f : from) {
    if (f == into) return make_error("invalid_field", "a campaign cannot be merged into itself", "campaigns");
    if (auto c = impl_->load(impl_->store, f); !c) return make_error("invalid_field", "no campaign '" + f + "'", "campaigns");
  }
  return {};
}

Status CampaignBook::check_split(const std::string& from, const std::vector<std::string>& report_ids) {
  if (report_ids.empty()) return make_error("missing_field", "name the reports to move in 'reports'", "reports");
  if (has_duplicates(report_ids)) return make_error("invalid_field", "a report is named twice in 'reports'", "reports");
  if (auto c = impl_->load(impl_->store, from); !c) return c.error();
  for (const auto& r : report_ids) {
    auto rows = impl_->store.query("SELECT 1 FROM smish_reports WHERE id = ? AND campaign_id = ?", {r, from});
    if (!rows) return rows.error();
    if (rows->empty()) return make_error("invalid_field", "report '" + r + "' is not in campaign " + from, "reports");
  }
  return {};
}

Result<Campaign> CampaignBook::merge(const std::string& into, const std::vector<std::string>& from, const std::string& actor) {
  if (from.empty()) return make_error("missing_field", "name the campaigns to merge in 'campaigns'", "campaigns");
  std::lock_guard lock(impl_->mu);
  Status s = impl_->store.transaction([&](store::Executor& tx) -> Status {
    if (Status l = lock_placements(tx); !l) return l;
    if (auto c = impl_->load(tx, into); !c) return c.error();
    for (const auto& f : from) {
      if (f == into) return make_error("invalid_field", "a campaign cannot be merged into itself", "campaigns");
      if (auto c = impl_->load(tx, f); !c) return c.error();
      if (Status m = impl_->absorb(tx, into, f, actor, ""); !m) return m;
    }
    return impl_->recompute(tx, into);
  });
  if (!s) return s.error();
  return impl_->load(impl_->store, into);
}

Result<Campaign> CampaignBook::split(const std::string& from, const std::vector<std::string>& report_ids, const std::string& actor) {
  if (report_ids.empty()) return make_error("missing_field", "name the reports to move in 'reports'", "reports");
  std::lock_guard lock(impl_->mu);
  std::string target = new_id("cmp");
  Status s = impl_->store.transaction([&](store::Executor& tx) -> Status {
    if (Status l = lock_placements(tx); !l) return l;
    if (auto c = impl_->load(tx, from); !c) return c.error();
    if (Status c = impl_->create(tx, target, actor, "split from " + from); !c) return c;
    for (const auto& r : report_ids) {
      auto n = tx.execute("UPDATE smish_reports SET campaign_id = ? WHERE id = ? AND campaign_id = ?", {target, r, from});
      if (!n) return n.error();
      if (*n == 0) return make_error("invalid_field", "report '" + r + "' is not in campaign " + from, "reports");
    }
    if (Status t = impl_->timeline(tx, from, actor, "split", std::to_string(report_ids.size()) + " report(s) moved to " + target); !t)
      return t;
    if (Status r = impl_->recompute(tx, from); !r) return r;
    return impl_->recompute(tx, target);
  });
  if (!s) return s.error();
  // Later copies follow the cluster's latest report, wherever that report
  // now is; the analyst moves them again if need be.
  return impl_->load(impl_->store, target);
}

void CampaignBook::replace_analyzer(std::shared_ptr<const Analyzer> analyzer) {
  std::lock_guard lock(impl_->mu);
  impl_->analyzer = std::move(analyzer);
}

Result<std::vector<StaffMember>> CampaignBook::targeted_staff(const std::string& id) {
  std::shared_ptr<const Analyzer> analyzer;
  {
    std::lock_guard lock(impl_->mu);
    analyzer = impl_->analyzer;
  }
  auto rows = impl_->store.query("SELECT DISTINCT reporter FROM smish_reports WHERE campaign_id = ?", {id});
  if (!rows) return rows.error();
  std::vector<StaffMember> out;
  for (const auto& r : *rows) {
    std::string reporter = r.text(0);
    if (reporter.rfind("staff:", 0) != 0) continue;
    std::string key = reporter.substr(6);
    for (const auto& m : analyzer->organization().staff)
      if (!m.phone.empty() && staff_key(m) == key) {
        out.push_back(m);
        break;
      }
  }
  return out;
}

}  // namespace wardline::smish
