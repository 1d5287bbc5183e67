// Devices and their standings in the store (table `devices`): import,
// check-in and periodic re-evaluation all pass through here.
#include <nlohmann/json.hpp>

#include "core/strings.h"
#include "posture/posture.h"
#include "posture/summary_cache.h"
#include "store/store.h"

namespace wardline::posture {
namespace {

constexpr const char* kColumns = "id, device, standing, state, state_since, deadline, updated_at";
constexpr size_t kBatch = 500;

std::string standing_json(const Standing& s) {
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : s.findings)
    findings.push_back({{"check", f.check},
                        {"enforcement", name_of(f.enforcement)},
                        {"grace", f.grace},
                        {"deadline", f.deadline},
                        {"quarantine", f.quarantine},
                        {"message", f.message}});
  return nlohmann::json{{"findings", findings}, {"failing_since", s.failing_since}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Standing standing_from(const store::Row& r) {
  Standing s;
  s.state = parse_state(r.text(3)).value_or(State::noncompliant);
  s.since = r.integer(4);
  s.deadline = r.integer(5);
  auto j = nlohmann::json::parse(r.text(2), nullptr, false);
  if (!j.is_object()) return s;
  for (const auto& f : j.value("findings", nlohmann::json::array())) {
    if (!f.is_object()) continue;
    Finding x;
    x.check = f.value("check", "");
    std::string e = f.value("enforcement", "report");
    x.enforcement = e == "block" ? Enforcement::block : e == "grace" ? Enforcement::grace : Enforcement::report;
    x.grace = f.value("grace", int64_t{0});
    x.deadline = f.value("deadline", int64_t{0});
    x.quarantine = f.value("quarantine", false);
    x.message = f.value("message", "");
    s.findings.push_back(std::move(x));
  }
  if (auto fs = j.find("failing_since"); fs != j.end() && fs->is_object())
    for (auto it = fs->begin(); it != fs->end(); ++it)
      if (it->is_number_integer()) s.failing_since[it.key()] = it->get<int64_t>();
  return s;
}

Result<DeviceRecord> record_from(const store::Row& r) {
  auto d = device_from_json(r.text(1), "stored device " + r.text(0));
  if (!d) return d.error();
  DeviceRecord rec;
  rec.device = std::move(*d);
  rec.standing = standing_from(r);
  rec.updated_at = r.integer(6);
  return rec;
}

// Failing checks that count (not report-only), as ",a,b," for LIKE filters.
std::string failing_checks(const Standing& s) {
  std::string out = ",";
  for (const auto& f : s.findings)
    if (f.enforcement != Enforcement::report) out += f.check + ",";
  return out;
}

std::vector<std::string> check_names(const Standing& s) {
  std::vector<std::string> out;
  for (const auto& f : s.findings)
    if (f.enforcement != Enforcement::report) out.push_back(f.check);
  return out;
}

// How an address is stored and looked up: trimmed, lower case (IPv6).
std::string address_key(std::string_view a) {
  size_t b = a.find_first_not_of(" \t"), e = a.find_last_not_of(" \t");
  return b == std::string_view::npos ? std::string() : ascii_lowercase(a.substr(b, e - b + 1));
}

// The device's addresses: each points at the device that reported it last.
Status write_addresses(store::Executor& tx, const DeviceRecord& r) {
  constexpr size_t kMaxAddresses = 16;
  if (auto del = tx.execute("DELETE FROM device_addresses WHERE device_id = ?", {r.device.id}); !del) return del.error();
  for (size_t i = 0; i < r.device.ip_addresses.size() && i < kMaxAddresses; ++i) {
    std::string key = address_key(r.device.ip_addresses[i]);
    if (key.empty()) continue;
    auto put = tx.execute(
        "INSERT INTO device_addresses (address, device_id, updated_at) VALUES (?, ?, ?) ON CONFLICT (address) DO UPDATE "
        "SET device_id = excluded.device_id, updated_at = excluded.updated_at",
        {key, r.device.id, r.updated_at});
    if (!put) return put.error();
  }
  return {};
}

Status write(store::Executor& tx, const DeviceRecord& r) {
  const Device& d = r.device;
  const Standing& s = r.standing;
  auto done = tx.execute(
      "INSERT INTO devices (id, source, user_name, platform, ownership, state, state_since, deadline, checks, device, standing, "
      "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET source = excluded.source, "
      "user_name = excluded.user_name, platform = excluded.platform, ownership = excluded.ownership, state = excluded.state, "
      "state_since = excluded.state_since, deadline = excluded.deadline, checks = excluded.checks, device = excluded.device, "
      "standing = excluded.standing, updated_at = excluded.updated_at",
      {d.id, d.source, d.user, std::string(name_of(d.platform)), std::string(name_of(d.ownership)),
       std::string(name_of(s.state)), s.since, s.deadline, failing_checks(s), device_to_json(d), standing_json(s),
       r.updated_at});
  if (!done) return done.error();
  return write_addresses(tx, r);
}

// The stored records of these ids.
Result<std::map<std::string, DeviceRecord>> load(store::Executor& tx, const std::vector<const std::string*>& ids) {
  std::map<std::string, DeviceRecord> out;
  if (ids.empty()) return out;
  std::string sql = std::string("SELECT ") + kColumns + " FROM devices WHERE id IN (";
  store::Params params;
  for (size_t i = 0; i < ids.size(); ++i) {
    sql += i ? ", ?" : "?";
    params.push_back(*ids[i]);
  }
  auto rows = tx.query(sql + ")", params);
  if (!rows) return rows.error();
  for (const auto& r : *rows) {
    auto rec = record_from(r);
    if (!rec) return rec.error();
    out.emplace(r.text(0), std::move(*rec));
  }
  return out;
}

}  // namespace

DeviceInventory::DeviceInventory(store::Store& store, std::shared_ptr<const Policy> policy,
                                 std::shared_ptr<const AdvisoryIndex> advisories, std::chrono::milliseconds summary_ttl)
    : store_(store),
      policy_(std::move(policy)),
      advisories_(std::move(advisories)),
      summaries_(std::make_unique<SummaryCache>(summary_ttl)) {}

DeviceInventory::~DeviceInventory() = default;

namespace {

// Evaluates `device` against its previous record; returns the new record and,
// if the state changed (or a new device is not compliant), the change.
DeviceRecord evaluate(const Policy& policy, const AdvisoryIndex* advisories, Device device,
                      const DeviceRecord* previous, int64_t now, std::vector<StateChange>& changes) {
  std::vector<Finding> findings;
  policy.evaluate(device, now, advisories, findings);
  DeviceRecord rec;
  rec.standing = next_standing(previous ? previous->standing : Standing{}, std::move(findings), now, policy);
  rec.device = std::move(device);
  rec.updated_at = now;
  bool changed = previous ? previous->standing.state != rec.standing.state : rec.standing.state != State::compliant;
  if (changed) {
    StateChange c;
    c.device_id = rec.device.id;
    c.user = rec.device.user;
    if (previous) c.from = previous->standing.state;
    c.to = rec.standing.state;
    c.checks = check_names(rec.standing);
    if (previous) c.previous = *previous;
    changes.push_back(std::move(c));
  }
  return rec;
}

}  // namespace

void DeviceInventory::use(std::shared_ptr<const Policy> policy, std::shared_ptr<const AdvisoryIndex> advisories) {
  std::lock_guard lock(mu_);
  policy_ = std::move(policy);
  advisories_ = std::move(advisories);
}

std::shared_ptr<const Policy> DeviceInventory::policy() const {
  std::lock_guard lock(mu_);
  return policy_;
}

std::shared_ptr<const AdvisoryIndex> DeviceInventory::advisories() const {
  std::lock_guard lock(mu_);
  return advisories_;
}

Result<std::vector<StateChange>> DeviceInventory::put(const std::vector<Device>& devices, int64_t now) {
  auto policy = this->policy();
  auto advisories = this->advisories();
  std::vector<StateChange> changes;
  for (size_t start = 0; start < devices.size(); start += kBatch) {
    size_t end = std::min(devices.size(), start + kBatch);
    Status s = store_.transaction([&](store::Executor& tx) -> Status {
      std::vector<const std::string*> ids;
      for (size_t i = start; i < end; ++i) ids.push_back(&devices[i].id);
      auto previous = load(tx, ids);
      if (!previous) return previous.error();
      for (size_t i = start; i < end; ++i) {
        auto it = previous->find(devices[i].id);
        const DeviceRecord* prev = it == previous->end() ? nullptr : &it->second;
        DeviceRecord rec = evaluate(*policy, advisories.get(), devices[i], prev, now, changes);
        if (Status w = write(tx, rec); !w) return w;
      }
      return {};
    });
    summaries_->invalidate();
    if (!s) return s.error();
  }
  return changes;
}

Result<std::vector<StateChange>> DeviceInventory::reevaluate(int64_t now) {
  auto policy = this->policy();
  auto advisories = this->advisories();
  std::vector<StateChange> changes;
  std::string after;
  for (;;) {
    bool more = false;
    Status s = store_.transaction([&](store::Executor& tx) -> Status {
      auto rows = tx.query(std::string("SELECT ") + kColumns + " FROM devices WHERE id > ? ORDER BY id LIMIT ?",
                           {after, static_cast<int64_t>(kBatch)});
      if (!rows) return rows.error();
      more = rows->size() == kBatch;
      for (const auto& r : *rows) {
        after = r.text(0);
        auto prev = record_from(r);
        if (!prev) return prev.error();
        DeviceRecord rec = evaluate(*policy, advisories.get(), prev->device, &*prev, now, changes);
        // Unchanged findings keep the stored row as it is.
        // The stored standing was written by standing_json too: compare as text.
        if (standing_json(rec.standing) == r.text(2) && rec.standing.state == prev->standing.state &&
            rec.standing.deadline == prev->standing.deadline)
          continue;
        rec.updated_at = prev->updated_at;
        if (Status w = write(tx, rec); !w) return w;
      }
      return {};
    });
    summaries_->invalidate();
    if (!s) return s.error();
    if (!more) return changes;
  }
}

Result<std::optional<DeviceRecord>> DeviceInventory::get(const std::string& id) {
  auto rows = store_.query(std::string("SELECT ") + kColumns + " FROM devices WHERE id = ?", {id});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<DeviceRecord>();
  auto rec = record_from(rows->front());
  if (!rec) return rec.error();
  return std::optional<DeviceRecord>(std::move(*rec));
}

Result<std::optional<DeviceInventory::Summary>> DeviceInventory::summary(const std::string& id) {
  if (auto cached = summaries_->get(id)) return *cached;
  uint64_t generation = summaries_->generation();
  auto rows = store_.query("SELECT state, ownership, user_name FROM devices WHERE id = ?", {id});
  if (!rows) return rows.error();
  std::optional<Summary> found;
  if (!rows->empty()) {
    const auto& r = rows->front();
    found = Summary{parse_state(r.text(0)).value_or(State::noncompliant),
                    parse_ownership(r.text(1)).value_or(Ownership::unknown), r.text(2)};
  }
  summaries_->put(id, found, generation);
  return found;
}

Result<std::optional<DeviceRecord>> DeviceInventory::find_by_address(const std::string& address) {
  auto rows = store_.query("SELECT device_id FROM device_addresses WHERE address = ?", {address_key(address)});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<DeviceRecord>();
  return get(rows->front().text(0));
}

Status DeviceInventory::undo(const std::vector<StateChange>& changes) {
  Status s = store_.transaction([&](store::Executor& tx) -> Status {
    for (const auto& c : changes) {
      if (c.previous) {
        if (Status w = write(tx, *c.previous); !w) return w;
      } else {
        for (const char* sql : {"DELETE FROM devices WHERE id = ?", "DELETE FROM device_addresses WHERE device_id = ?"})
          if (auto r = tx.execute(sql, {c.device_id}); !r) return r.error();
      }
    }
    return {};
  });
  summaries_->invalidate();
  return s;
}

Result<size_t> DeviceInventory::count() {
  auto rows = store_.query("SELECT COUNT(*) FROM devices");
  if (!rows) return rows.error();
  return static_cast<size_t>(rows->at(0).integer(0));
}

Result<DeviceInventory::Page> DeviceInventory::list(const Filter& filter, const std::string& cursor, int limit) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM devices WHERE id > ?";
  store::Params params{cursor};
  auto where = [&](const char* column, const std::string& value) {
    if (value.empty()) return;
    sql += std::string(" AND ") + column + " = ?";
    params.emplace_back(std::in_place_type<std::string>, value);
  };
  where("state", filter.state);
  where("ownership", filter.ownership);
  where("platform", filter.platform);
  where("user_name", filter.user);
  if (!filter.check.empty()) {
    sql += " AND checks LIKE ?";
    params.emplace_back(std::in_place_type<std::string>, "%," + filter.check + ",%");
  }
  sql += " ORDER BY id LIMIT ?";
  params.emplace_back(std::in_place_type<int64_t>, int64_t{limit} + 1);
  auto rows = store_.query(sql, params);
  if (!rows) return rows.error();
  Page page;
  for (size_t i = 0; i < rows->size() && i < static_cast<size_t>(limit); ++i) {
    auto rec = record_from((*rows)[i]);
    if (!rec) return rec.error();
    page.devices.push_back(std::move(*rec));
  }
  if (rows->size() > static_cast<size_t>(limit)) page.next_cursor = page.devices.back().device.id;
  return page;
}

Status DeviceInventory::each(const std::function<void(const DeviceRecord&)>& fn) {
  std::string after;
  for (;;) {
    auto rows = store_.query(std::string("SELECT ") + kColumns + " FROM devices WHERE id > ? ORDER BY id LIMIT ?",
                             {after, static_cast<int64_t>(kBatch)});
    if (!rows) return rows.error();
    for (const auto& r : *rows) {
      after = r.text(0);
      auto rec = record_from(r);
      if (!rec) return rec.error();
      fn(*rec);
    }
    if (rows->size() < kBatch) return {};
  }
}

}  // namespace wardline::posture
