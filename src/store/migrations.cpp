// Versioned schema migrations shared by SQLite and PostgreSQL: the SQL below
// is written in the common subset of both (TEXT ids, BIGINT Unix seconds).
#include <algorithm>

#include "core/time.h"
#include "store/store.h"

namespace wardline::store {

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> all = {
      {1, "identities",
       R"sql(
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  display_name TEXT NOT NULL DEFAULT '',
  phone_enc TEXT,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  disabled_at BIGINT
);
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  token_hash TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT,
  last_used_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);
)sql"},
      {2, "audit_log",
       R"sql(
CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY,
  time TEXT NOT NULL,
  type TEXT NOT NULL,
  actor TEXT NOT NULL,
  subject TEXT NOT NULL,
  outcome TEXT NOT NULL,
  source_ip TEXT NOT NULL,
  data TEXT NOT NULL,
  leaf_hash TEXT NOT NULL
);
CREATE INDEX audit_log_time ON audit_log(time);
CREATE INDEX audit_log_type ON audit_log(type, seq);
CREATE INDEX audit_log_actor ON audit_log(actor, seq);
CREATE INDEX audit_log_subject ON audit_log(subject, seq);
CREATE TABLE audit_subtrees (
  level INTEGER NOT NULL,
  idx BIGINT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (level, idx)
);
CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY,
  tree_size BIGINT NOT NULL,
  writer TEXT NOT NULL
);
INSERT INTO audit_head (id, tree_size, writer) VALUES (1, 0, '');
CREATE TABLE audit_sth (
  tree_size BIGINT PRIMARY KEY,
  timestamp_ms BIGINT NOT NULL,
  root_hash TEXT NOT NULL,
  signature TEXT NOT NULL,
  key_id TEXT NOT NULL
);
)sql"},
      {3, "audit_retention",
       R"sql(
CREATE TABLE audit_archives (
  end_index BIGINT PRIMARY KEY,
  first_index BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  file TEXT NOT NULL,
  exported_at BIGINT NOT NULL
);
CREATE TABLE audit_purges (
  before_index BIGINT PRIMARY KEY,
  first_index BIGINT NOT NULL,
  edge TEXT NOT NULL,
  archive_sha256 TEXT NOT NULL,
  purged_at BIGINT NOT NULL
);
)sql"},
      {4, "smish_reports",
       R"sql(
CREATE TABLE smish_reports (
  id TEXT PRIMARY KEY,
  reporter TEXT NOT NULL,
  channel TEXT NOT NULL,
  sender_enc TEXT,
  body_enc TEXT NOT NULL,
  body_fingerprint TEXT NOT NULL,
  received_at TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  verdict TEXT NOT NULL,
  class TEXT NOT NULL,
  score INTEGER NOT NULL,
  analysis TEXT NOT NULL,
  UNIQUE (reporter, body_fingerprint)
);
CREATE INDEX smish_reports_reporter ON smish_reports(reporter, created_at);
CREATE INDEX smish_reports_created ON smish_reports(created_at);
)sql"},
      {5, "smish_report_sources",
       R"sql(
ALTER TABLE smish_reports ADD COLUMN source_id TEXT;
ALTER TABLE smish_reports ADD COLUMN department TEXT;
ALTER TABLE smish_reports ADD COLUMN staff_role TEXT;
CREATE UNIQUE INDEX smish_reports_source ON smish_reports(source_id);
)sql"},
      {6, "smish_campaigns",
       R"sql(
CREATE TABLE smish_campaigns (
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  first_seen BIGINT NOT NULL,
  last_seen BIGINT NOT NULL,
  report_count INTEGER NOT NULL,
  summary TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX smish_campaigns_seen ON smish_campaigns(last_seen, id);
CREATE TABLE smish_campaign_timeline (
  seq BIGINT NOT NULL,
  campaign_id TEXT NOT NULL,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  kind TEXT NOT NULL,
  text TEXT NOT NULL
);
CREATE INDEX smish_campaign_timeline_campaign ON smish_campaign_timeline(campaign_id, seq);
ALTER TABLE smish_reports ADD COLUMN campaign_id TEXT;
CREATE INDEX smish_reports_campaign ON smish_reports(campaign_id);
)sql"},
      {7, "intel_feeds",
       R"sql(
CREATE TABLE intel_feeds (
  name TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  format TEXT NOT NULL,
  confidence INTEGER NOT NULL,
  added_at BIGINT NOT NULL,
  added_by TEXT NOT NULL,
  etag TEXT NOT NULL,
  last_modified TEXT NOT NULL,
  last_pull_at BIGINT NOT NULL,
  last_status TEXT NOT NULL,
  status TEXT NOT NULL
);
)sql"},
      {8, "intel_alerts",
       R"sql(
CREATE TABLE intel_alerts (
  id TEXT PRIMARY KEY,
  indicator TEXT NOT NULL,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  first_seen BIGINT NOT NULL,
  last_seen BIGINT NOT NULL,
  hits BIGINT NOT NULL,
  confidence INTEGER NOT NULL,
  campaign_id TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX intel_alerts_indicator ON intel_alerts(indicator, status);
CREATE INDEX intel_alerts_seen ON intel_alerts(last_seen, id);
)sql"},
      {9, "intel_feed_access",
       R"sql(
ALTER TABLE intel_feeds ADD COLUMN auth TEXT NOT NULL DEFAULT '';
ALTER TABLE intel_feeds ADD COLUMN ca_file TEXT NOT NULL DEFAULT '';
ALTER TABLE intel_feeds ADD COLUMN cursor TEXT NOT NULL DEFAULT '';
)sql"},
      {10, "intel_observations",
       R"sql(
CREATE TABLE intel_observations (
  day BIGINT NOT NULL,
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  first_seen BIGINT NOT NULL,
  last_seen BIGINT NOT NULL,
  hits BIGINT NOT NULL,
  last_source TEXT NOT NULL,
  PRIMARY KEY (day, kind, value)
);
)sql"},
      {11, "intel_feed_half_life",
       R"sql(
ALTER TABLE intel_feeds ADD COLUMN half_life BIGINT NOT NULL DEFAULT 0;
)sql"},
      {12, "intel_suppressions",
       R"sql(
CREATE TABLE intel_suppressions (
  type TEXT NOT NULL,
  indicator TEXT NOT NULL,
  alert_id TEXT NOT NULL,
  added_at BIGINT NOT NULL,
  PRIMARY KEY (type, indicator)
);
)sql"},
      {13, "posture",
       R"sql(
CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  user_name TEXT NOT NULL,
  platform TEXT NOT NULL,
  ownership TEXT NOT NULL,
  state TEXT NOT NULL,
  state_since BIGINT NOT NULL,
  deadline BIGINT NOT NULL,
  checks TEXT NOT NULL,
  device TEXT NOT NULL,
  standing TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX devices_state ON devices(state, id);
CREATE INDEX devices_user ON devices(user_name);
CREATE TABLE posture_advisories (
  id TEXT PRIMARY KEY,
  advisory TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
)sql"},
      {14, "device_addresses",
       R"sql(
CREATE TABLE device_addresses (
  address TEXT PRIMARY KEY,
  device_id TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX device_addresses_device ON device_addresses(device_id);
)sql"},
      {15, "access_device_users",
       R"sql(
CREATE TABLE access_device_users (
  user_name TEXT NOT NULL,
  device_id TEXT NOT NULL,
  first_seen BIGINT NOT NULL,
  PRIMARY KEY (user_name, device_id)
);
)sql"},
      {16, "response",
       R"sql(
CREATE TABLE response_actions (
  id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  requested_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  request_key TEXT,
  action TEXT NOT NULL
);
CREATE INDEX response_actions_device ON response_actions(device_id, id);
CREATE INDEX response_actions_state ON response_actions(state, expires_at);
CREATE UNIQUE INDEX response_actions_request_key ON response_actions(requested_by, request_key);
CREATE TABLE response_drills (
  id TEXT PRIMARY KEY,
  runbook TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  drill TEXT NOT NULL
);
CREATE INDEX response_drills_runbook ON response_drills(runbook, started_at);
CREATE TABLE incidents (
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  type TEXT NOT NULL,
  owner TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  incident TEXT NOT NULL
);
CREATE INDEX incidents_status ON incidents(status, id);
CREATE TABLE incident_items (
  kind TEXT NOT NULL,
  ref TEXT NOT NULL,
  incident_id TEXT NOT NULL,
  PRIMARY KEY (kind, ref, incident_id)
);
)sql"},
      {17, "incident_grouping",
       R"sql(
CREATE TABLE incident_grouping (
  name TEXT PRIMARY KEY,
  next_seq BIGINT NOT NULL
);
)sql"},
      {18, "ehr_analytics",
       R"sql(
CREATE TABLE ehr_baselines (
  key TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE ehr_alerts (
  id TEXT PRIMARY KEY,
  user_name TEXT NOT NULL,
  kind TEXT NOT NULL,
  at BIGINT NOT NULL,
  milli_weight BIGINT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX ehr_alerts_at ON ehr_alerts(at, id);
CREATE INDEX ehr_alerts_user ON ehr_alerts(user_name, at)
)sql"},
      {19, "console_sign_in",
       R"sql(
CREATE TABLE console_credentials (
  credential_id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  user_name TEXT NOT NULL,
  public_key TEXT NOT NULL,
  algorithm INTEGER NOT NULL,
  sign_count BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT NOT NULL
);
CREATE INDEX console_credentials_user ON console_credentials(user_id);
CREATE TABLE console_enroll_links (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  user_name TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE TABLE console_challenges (
  id TEXT PRIMARY KEY,
  purpose TEXT NOT NULL,
  challenge TEXT NOT NULL,
  subject TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE TABLE console_sessions (
  id_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  user_name TEXT NOT NULL,
  credential_id TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX console_sessions_user ON console_sessions(user_id)
)sql"},
      {20, "smish_report_labels",
       R"sql(
ALTER TABLE smish_reports ADD COLUMN analyst_label TEXT;
ALTER TABLE smish_reports ADD COLUMN labelled_by TEXT;
ALTER TABLE smish_reports ADD COLUMN labelled_at BIGINT
)sql"},
      {21, "smish_notice_queue",
       R"sql(
CREATE TABLE smish_notice_queue (
  id TEXT PRIMARY KEY,
  campaign_id TEXT NOT NULL,
  staff_key TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  last_error TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX smish_notice_queue_due ON smish_notice_queue(next_attempt_at)
)sql"},
      // Campaign placements numbered in the order they were made, so that
      // daemons sharing a database replay the same clusters (smish/campaigns).
      {22, "smish_cluster_placements",
       R"sql(
ALTER TABLE smish_reports ADD COLUMN cluster_seq BIGINT;
CREATE UNIQUE INDEX smish_reports_cluster_seq ON smish_reports(cluster_seq);
CREATE TABLE smish_cluster_head (
  id INTEGER PRIMARY KEY,
  placed BIGINT NOT NULL
);
INSERT INTO smish_cluster_head (id, placed) VALUES (1, 0)
)sql"},
  };
  return all;
}

namespace {

// The one dialect difference the migrations need: in SQLite only "INTEGER
// PRIMARY KEY" makes the key the table's rowid; "BIGINT PRIMARY KEY" would
// add a second B-tree to every insert. (SQLite integers are 64-bit anyway.)
std::string dialect(std::string sql, const std::string& kind) {
  if (kind != "sqlite") return sql;
  const std::string from = "BIGINT PRIMARY KEY", to = "INTEGER PRIMARY KEY";
  for (size_t pos = sql.find(from); pos != std::string::npos; pos = sql.find(from, pos + to.size()))
    sql.replace(pos, from.size(), to);
  return sql;
}

// Nodes starting together take turns on PostgreSQL (concurrent CREATE TABLE
// IF NOT EXISTS can still collide there); an SQLite file has one writer anyway.
constexpr const char* kMigrationLock = "SELECT pg_advisory_xact_lock(7262051)";

Status ensure_migrations_table(Store& store) {
  return store.transaction([&](Executor& tx) -> Status {
    if (store.kind() == "postgres")
      if (auto r = tx.query(kMigrationLock); !r) return r.error();
    auto r = tx.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
    return r ? Status() : Status(r.error());
  });
}
}  // namespace

Result<MigrationState> migration_status(Store& store) {
  if (Status s = ensure_migrations_table(store); !s) return s.error();
  auto rows = store.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!rows) return rows.error();
  MigrationState state;
  state.current_version = static_cast<int>(rows->at(0).integer(0));
  state.latest_version = migrations().back().version;
  for (const auto& m : migrations())
    if (m.version > state.current_version) state.pending.push_back(m);
  if (state.current_version > state.latest_version)
    return make_error("schema_too_new", "database schema version " + std::to_string(state.current_version) +
                                            " is newer than this Wardline build knows (" +
                                            std::to_string(state.latest_version) + "); upgrade Wardline");
  return state;
}

Result<int> migrate(Store& store) {
  auto state = migration_status(store);
  if (!state) return state.error();
  int applied = 0;
  for (const auto& m : state->pending) {
    Status s = store.transaction([&](Executor& tx) -> Status {
      if (store.kind() == "postgres")
        if (auto r = tx.query(kMigrationLock); !r) return r.error();
      // Re-check inside the transaction: another node may have migrated meanwhile.
      auto done = tx.query("SELECT 1 FROM schema_migrations WHERE version = ?", {int64_t{m.version}});
      if (!done) return done.error();
      if (!done->empty()) return {};
      std::string sql = dialect(m.sql, store.kind());
      size_t start = 0;
      while (start < sql.size()) {
        size_t end = sql.find(';', start);
        if (end == std::string::npos) end = sql.size();
        std::string stmt = sql.substr(start, end - start);
        start = end + 1;
        if (std::all_of(stmt.begin(), stmt.end(), ::isspace)) continue;
        if (auto r = tx.execute(stmt); !r)
          return make_error(r.error().code, "migration " + std::to_string(m.version) + " (" + m.name + "): " + r.error().message);
      }
      auto r = tx.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                          {int64_t{m.version}, m.name, unix_now()});
      return r ? Status() : Status(r.error());
    });
    if (!s) return s.error();
    ++applied;
  }
  return applied;
}

}  // namespace wardline::store
