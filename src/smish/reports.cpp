#include <nlohmann/json.hpp>

#include <algorithm>

#include "core/ids.h"
#include "core/keyring.h"
#include "core/time.h"
#include "smish/keyset_cursor.h"
#include "smish/smish.h"
#include "store/store.h"

namespace wardline::smish {
namespace {

constexpr const char* kBodyField = "smish_reports.body";
constexpr const char* kSenderField = "smish_reports.sender";
constexpr const char* kColumns =
    "id, reporter, channel, sender_enc, body_enc, received_at, created_at, verdict, class, score, analysis, department, "
    "staff_role, analyst_label, labelled_by";

nlohmann::json verdict_json(const Verdict& v) {
  return {{"verdict", v.verdict}, {"class", v.cls}, {"score", v.score}, {"categories", v.categories},
          {"reasons", v.reasons}, {"urls", v.urls}, {"simulation", v.simulation}};
}

store::Value nullable(const std::string& s) { return s.empty() ? store::Value(nullptr) : store::Value(s); }

Result<Report> report_from_row(const store::Row& r, const Keyring& keyring) {
  Report rep;
  rep.id = r.text(0);
  rep.reporter = r.text(1);
  rep.channel = r.text(2);
  if (!r.is_null(3)) {
    auto s = keyring.open_value(kSenderField, r.text(3));
    if (!s) return s.error();
    rep.sender = *s;
  }
  auto body = keyring.open_value(kBodyField, r.text(4));
  if (!body) return body.error();
  rep.body = *body;
  rep.received_at = r.text(5);
  rep.created_at = r.integer(6);
  rep.verdict = verdict_from(r.text(10));
  if (!r.is_null(11)) rep.department = r.text(11);
  if (!r.is_null(12)) rep.staff_role = r.text(12);
  rep.analyst_label = r.text(13);
  rep.labelled_by = r.text(14);
  return rep;
}

}  // namespace

// The stored analysis column (see verdict_json), read back.
Verdict verdict_from(const std::string& text) {
  Verdict v;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return v;
  v.verdict = j.value("verdict", "");
  v.cls = j.value("class", "");
  v.score = j.value("score", 0);
  v.categories = j.value("categories", std::vector<std::string>{});
  v.reasons = j.value("reasons", std::vector<std::string>{});
  v.urls = j.value("urls", std::vector<std::string>{});
  v.simulation = j.value("simulation", "");
  return v;
}

ReportBook::ReportBook(store::Store& store, std::shared_ptr<const Keyring> keyring,
                       std::shared_ptr<const Analyzer> analyzer, int per_hour)
    : store_(store), keyring_(std::move(keyring)), analyzer_(std::move(analyzer)), per_hour_(per_hour) {}

Result<Report> ReportBook::submit(const NewReport& in) {
  static const std::vector<std::string> channels = {"sms", "imessage", "whatsapp", "rcs", "other"};
  if (std::find(channels.begin(), channels.end(), in.channel) == channels.end())
    return make_error("invalid_channel", "channel '" + in.channel + "' is not one of sms, imessage, whatsapp, rcs, other", "channel");
  if (in.body.empty()) return make_error("missing_field", "'body' is required: paste or forward the whole message", "body");
  if (in.body.size() > 16384) return make_error("invalid_field", "'body' is longer than 16 KiB", "body");
  if (!in.received_at.empty() && (in.received_at.size() < 20 || in.received_at.size() > 40 || in.received_at[4] != '-'))
    return make_error("invalid_field", "'received_at' must be an RFC 3339 time, e.g. 2026-11-28T08:15:00Z", "received_at");

  std::string fp = keyring_->fingerprint(kBodyField, normalize(in.body));
  auto existing = in.source_id.empty()
                      ? store_.query(std::string("SELECT ") + kColumns +
                                         " FROM smish_reports WHERE reporter = ? AND body_fingerprint = ?",
                                     {in.reporter, fp})
                      : store_.query(std::string("SELECT ") + kColumns +
                                         " FROM smish_reports WHERE source_id = ? OR (reporter = ? AND body_fingerprint = ?)",
                                     {in.source_id, in.reporter, fp});
  if (!existing) return existing.error();
  if (!existing->empty()) {
    auto rep = report_from_row(existing->front(), *keyring_);
    if (!rep) return rep.error();
    rep->duplicate = true;
    return rep;
  }
  auto recent = store_.query("SELECT COUNT(*) FROM smish_reports WHERE reporter = ? AND created_at > ?",
                             {in.reporter, unix_now() - 3600});
  if (!recent) return recent.error();
  if (recent->front().integer(0) >= per_hour_)
    return make_error("rate_limited", "you have sent " + std::to_string(per_hour_) +
                                          " reports in the last hour; thank you — the security team has been alerted to the volume");

  Report rep{new_id("rpt"), in.reporter, in.channel, in.sender, in.body, in.received_at.empty() ? now_rfc3339() : in.received_at,
             in.department, in.staff_role, unix_now(), analyzer()->analyze(in.body, in.sender), false};
  auto body = keyring_->seal(kBodyField, in.body);
  if (!body) return body.error();
  store::Value sender = nullptr;
  if (!in.sender.empty()) {
    auto s = keyring_->seal(kSenderField, in.sender);
    if (!s) return s.error();
    sender = *s;
  }
  Status ins = store_.transaction(
      [&](store::Executor& tx) -> Status {
        auto r = tx.execute(
            "INSERT INTO smish_reports (id, reporter, channel, sender_enc, body_enc, body_fingerprint, received_at, created_at, "
            "verdict, class, score, analysis, source_id, department, staff_role) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {rep.id, rep.reporter, rep.channel, sender, *body, fp, rep.received_at, rep.created_at, rep.verdict.verdict,
             rep.verdict.cls, int64_t{rep.verdict.score}, verdict_json(rep.verdict).dump(), nullable(in.source_id),
             nullable(in.department), nullable(in.staff_role)});
        return r ? Status() : Status(r.error());
      },
      store::Commit::with_next_durable);
  if (!ins) return ins.error();
  return rep;
}

Result<InboundReport> ReportBook::submit_inbound(const InboundMessage& m, const std::string& channel) {
  auto current = analyzer();
  const Organization& org = current->organization();
  InboundReport out;
  auto phone = to_e164(m.from, org.country);
  if (const StaffMember* staff = phone ? org.staff_by_phone(*phone) : nullptr) out.staff = *staff;
  NewReport r;
  if (out.staff) {
    const StaffMember& s = *out.staff;
    r.reporter = "staff:" + staff_key(s);
    r.department = s.department;
    r.staff_role = s.role;
  } else {
    r.reporter = "phone:" + keyring_->fingerprint("smish_reports.reporter_phone", phone.value_or(m.from)).substr(0, 16);
  }
  r.channel = channel;
  r.body = m.body;
  r.source_id = m.provider + ":" + m.message_id;
  if (m.timestamp > 0) r.received_at = to_rfc3339(m.timestamp);
  // A forwarded message's original sender is not in the webhook: the
  // reporter's phone is what the provider knows.
  auto rep = submit(r);
  if (!rep) return rep.error();
  out.report = std::move(*rep);
  return out;
}

std::shared_ptr<const Analyzer> ReportBook::analyzer() const {
  std::lock_guard lock(analyzer_mu_);
  return analyzer_;
}

void ReportBook::replace_analyzer(std::shared_ptr<const Analyzer> analyzer) {
  std::lock_guard lock(analyzer_mu_);
  analyzer_ = std::move(analyzer);
}

Status ReportBook::remove(const std::string& id) {
  auto n = store_.execute("DELETE FROM smish_reports WHERE id = ?", {id});
  return n ? Status() : Status(n.error());
}

Result<std::string> ReportBook::set_label(const std::string& id, const std::string& label, const std::string& actor) {
  if (!label.empty() && label != "false_positive" && label != "smishing")
    return make_error("invalid_label", "label '" + label + "' is not one of false_positive, smishing (or empty to clear)", "label");
  std::string previous;
  Status done = store_.transaction([&](store::Executor& tx) -> Status {
    auto rows = tx.query("SELECT analyst_label FROM smish_reports WHERE id = ?", {id});
    if (!rows) return rows.error();
    if (rows->empty()) return make_error("not_found", "no report with id '" + id + "'");
    previous = rows->front().text(0);
    auto r = label.empty()
                 ? tx.execute("UPDATE smish_reports SET analyst_label = NULL, labelled_by = NULL, labelled_at = NULL WHERE id = ?", {id})
                 : tx.execute("UPDATE smish_reports SET analyst_label = ?, labelled_by = ?, labelled_at = ? WHERE id = ?",
                              {label, actor, unix_now(), id});
    if (!r) return r.error();
    return {};
  });
  if (!done) return done.error();
  return previous;
}

Result<ReportPage> ReportBook::list(const std::string& cursor, int limit, const std::string& campaign_id) {
  limit = std::clamp(limit, 1, 500);
  // Keyset paging on (created_at, id): the cursor is "<created_at>.<id>".
  std::string sql = std::string("SELECT ") + kColumns + " FROM smish_reports WHERE 1 = 1";
  store::Params params;
  if (!campaign_id.empty()) {
    sql += " AND campaign_id = ?";
    params.push_back(campaign_id);
  }
  if (!cursor.empty()) {
    auto c = parse_keyset_cursor(cursor);
    if (!c) return c.error();
    sql += " AND (created_at < ? OR (created_at = ? AND id < ?))";
    params.insert(params.end(), {c->at, c->at, c->id});
  }
  sql += " ORDER BY created_at DESC, id DESC LIMIT " + std::to_string(limit + 1);
  auto rows = store_.query(sql, params);
  if (!rows) return rows.error();
  ReportPage page;
  for (size_t i = 0; i < rows->size() && i < static_cast<size_t>(limit); ++i) {
    auto rep = report_from_row((*rows)[i], *keyring_);
    if (!rep) return rep.error();
    page.reports.push_back(std::move(*rep));
  }
  if (rows->size() > static_cast<size_t>(limit))
    page.next_cursor = keyset_cursor(page.reports.back().created_at, page.reports.back().id);
  return page;
}

}  // namespace wardline::smish
