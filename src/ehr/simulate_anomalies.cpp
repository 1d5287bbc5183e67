// Labelled anomalies of every detection kind, placed after the warm-up in
// the lives of the simulated staff: on their shifts, from their devices,
// so that only the anomalous part stands out.
#include <algorithm>
#include <iterator>
#include <numeric>
#include <optional>

#include "ehr/simulate_impl.h"

namespace wardline::ehr::sim {
namespace {

// Indexes kDetectionKinds.
enum Kind : size_t {
  volume_spike,
  off_hours,
  new_device,
  new_location,
  impossible_travel,
  vip_snooping,
  lateral_movement
};
static_assert(lateral_movement + 1 == std::size(kDetectionKinds));
constexpr std::string_view kWeekdayNames[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                              "Friday", "Saturday", "Sunday"};

// Where an access comes from, owning its strings (a Channel only views them).
struct Access {
  std::string application, device, ip;
  Channel channel() const { return {application, device, ip}; }
};

struct Placement {
  std::vector<SimulatedEvent> events;   // the anomaly's
  std::vector<SimulatedEvent> context;  // normal events it needs beside it
  std::string description;
};

std::string grouped(int n) {
  return n >= 1000 ? std::to_string(n / 1000) + "," + std::to_string(n % 1000 + 1000).substr(1) : std::to_string(n);
}

class Injector {
 public:
  Injector(World& w, Simulation& out)
      : w_(w),
        out_(out),
        rng_(w.options.seed ^ 0x9e3779b97f4a7c15),  // own stream: the baseline does not depend on it
        from_(w.begin + int64_t{w.options.warmup_days} * kDay),
        used_(w.staff.size()) {}

  void run() {
    if (from_ >= w_.end) return;  // no time left after the warm-up
    for (size_t kind = 0; kind < std::size(kDetectionKinds); ++kind) {
      std::vector<size_t> candidates;
      for (size_t i = 0; i < w_.staff.size(); ++i)
        if (eligible(kind, w_.staff[i])) candidates.push_back(i);
      rng_.shuffle(candidates);
      // Distinct users while there are enough.
      std::stable_partition(candidates.begin(), candidates.end(), [&](size_t i) { return !used_[i]; });
      int placed = 0;
      for (size_t attempt = 0; placed < w_.options.anomalies_per_kind && attempt < 20 * candidates.size(); ++attempt) {
        size_t who = candidates[attempt % candidates.size()];
        if (auto p = place(kind, w_.staff[who]); p && commit(kDetectionKinds[kind], w_.staff[who], std::move(*p))) {
          used_[who] = true;
          ++placed;
        }
      }
    }
    phish();
  }

 private:
  bool eligible(size_t kind, const Person& p) const {
    switch (kind) {
      case off_hours:  // day workers
        return p.role == Role::billing || p.role == Role::him_coder ||
               (p.role == Role::physician && p.dept != emergency && !p.on_call);
      case new_location:  // on a day off: shift workers, whose days off are any day of the week
        return !p.phone.empty() && (p.role != Role::physician || p.dept == emergency);
      case impossible_travel:  // a device of their own, carried along
        return !p.phone.empty() || !p.laptop.empty();
      case vip_snooping:  // radiology and pharmacy may open every VIP
        return p.dept != radiology && p.dept != pharmacy;
      case lateral_movement:  // a phone on the main campus
        return !p.phone.empty() && !kDepartmentTable[p.dept].clinic;
      default:
        return true;
    }
  }

  std::optional<Placement> place(size_t kind, const Person& p) {
    switch (kind) {
      case volume_spike:
        return place_volume_spike(p);
      case off_hours:
        return place_off_hours(p);
      case new_device:
        return place_new_device(p);
      case new_location:
        return place_new_location(p);
      case impossible_travel:
        return place_impossible_travel(p);
      case vip_snooping:
        return place_vip_snooping(p);
      default:
        return place_lateral_movement(p);
    }
  }

  bool commit(std::string_view kind, const Person& p, Placement&& placed) {
    if (placed.events.empty()) return false;
    auto [first, last] = std::minmax_element(placed.events.begin(), placed.events.end(),
                                             [](const auto& a, const auto& b) { return a.event.time < b.event.time; });
    int64_t start = first->event.time, end = last->event.time;
    if (start < from_ || end >= w_.end) return false;
    for (const InjectedAnomaly& a : out_.anomalies)  // a day apart from the user's other anomalies: one label per alert
      if (a.user == p.id && start < a.end + kDay && end > a.start - kDay) return false;
    for (auto* part : {&placed.events, &placed.context})
      std::move(part->begin(), part->end(), std::back_inserter(w_.events));
    out_.anomalies.push_back({std::string(kind), p.id, start, end, false, std::move(placed.description)});
    return true;
  }

  // About a third of the anomalies follow a smishing campaign that reached the user.
  void phish() {
    std::vector<size_t> order(out_.anomalies.size());
    std::iota(order.begin(), order.end(), 0);
    rng_.shuffle(order);
    order.resize((order.size() + 1) / 3);
    std::sort(order.begin(), order.end());
    for (size_t i : order) {
      InjectedAnomaly& a = out_.anomalies[i];
      a.after_phish = true;
      out_.phished.emplace_back(a.user, a.start - rng_.between(3 * kHour, 2 * kDay));
    }
  }

  // ---------------------------------------------------------------- the user's life

  // A random regular session after the warm-up, at least `length` long; on site unless `remote_ok`.
  const Session* some_session(const Person& p, int64_t length, bool remote_ok) {
    std::vector<const Session*> fit;
    for (const Session& s : p.sessions)
      if (s.start >= from_ && s.end <= w_.end - kHour && s.end - s.start >= length && s.pace == 1 &&
          (remote_ok || !s.remote))
        fit.push_back(&s);
    return fit.empty() ? nullptr : fit[static_cast<size_t>(rng_.below(static_cast<int64_t>(fit.size())))];
  }

  int64_t some_time(const Session& s, int64_t margin) {
    return s.start + margin + rng_.below(s.end - s.start - 2 * margin);
  }

  bool idle(const Person& p, int64_t from, int64_t to) const {
    return std::none_of(p.sessions.begin(), p.sessions.end(),
                        [&](const Session& s) { return s.start < to && s.end > from; });
  }

  const Session* last_before(const Person& p, int64_t t) const {
    const Session* last = nullptr;
    for (const Session& s : p.sessions)
      if (s.end <= t) last = &s;
    return last;
  }

  // The device and address the user works from in a session.
  Access usual_access(const Person& p, const Session& s) {
    if (s.remote) return {std::string(p.application()), p.laptop, random_address(Net::vpn, rng_)};
    const Host& h = w_.hosts[static_cast<size_t>(s.dept)][static_cast<size_t>(s.workstation)];
    return {std::string(p.application()), h.name, h.ip};
  }

  // The user's own phone, else a laptop already used from home; nullopt: neither. The address is for the caller.
  std::optional<Access> personal_device(const Person& p, int64_t t) const {
    if (!p.phone.empty() && t < p.phone_replaced) return Access{p.phone_app, p.phone, ""};
    bool laptop_known =
        std::any_of(p.sessions.begin(), p.sessions.end(), [&](const Session& s) { return s.remote && s.end < t; });
    if (laptop_known) return Access{std::string(p.application()), p.laptop, ""};
    return std::nullopt;
  }

  int any_patient() {  // anyone but a VIP
    for (;;) {
      int patient = static_cast<int>(rng_.below(static_cast<int64_t>(w_.mrns.size())));
      if (w_.vip_dept[static_cast<size_t>(patient)] < 0) return patient;
    }
  }

  // `charts` charts of the user's own patients from `t` on, minutes apart.
  bool open_charts(std::vector<SimulatedEvent>& out, const Person& p, int dept, int64_t t, const Access& a,
                   int charts) {
    for (int i = 0; i < charts; ++i, t += rng_.between(2, 8) * kMinute) {
      int patient = w_.pick_patient(p, dept, t, rng_);
      if (patient < 0) return false;
      open_chart(out, w_, rng_, p, t, a.channel(), patient);
    }
    return true;
  }

  std::string clock(int64_t t) const {
    int64_t minutes = (t - w_.midnight) % kDay / kMinute;
    return (minutes < 600 ? "0" : "") + std::to_string(minutes / 60) + ":" +
           std::to_string(minutes % 60 + 100).substr(1);
  }

  // ---------------------------------------------------------------- the kinds

  // Many times the user's usual patients in one hour of an ordinary shift: a chart-by-chart harvest.
  std::optional<Placement> place_volume_spike(const Person& p) {
    const Session* s = some_session(p, 3 * kHour, true);
    if (!s) return std::nullopt;
    Placement out;
    const Access a = usual_access(p, *s);
    const int64_t t0 = some_time(*s, 45 * kMinute), span = rng_.between(35, 58) * kMinute;
    const int charts = static_cast<int>(rng_.between(60, 250));
    for (int i = 0; i < charts; ++i) {
      int64_t t = t0 + rng_.below(span);
      int patient = any_patient();
      emit(out.events, w_, rng_, p, t, a.channel(), patient, "Patient", "read");
      if (rng_.chance(0.2)) {
        std::string_view resource = rng_.chance(0.5) ? "Observation" : "DocumentReference";
        emit(out.events, w_, rng_, p, t + rng_.between(5, 40), a.channel(), patient, resource, "read");
      }
    }
    out.description = "opened " + std::to_string(charts) + " patient charts in " + std::to_string(span / kMinute) +
                      " min on " + a.device + "; the usual for " + std::string(role_id(p.role)) + " on " +
                      std::string(kDepartmentTable[p.dept].name) + " is about " +
                      std::to_string(static_cast<int>(opens_per_hour(p.role, p.dept) + 0.5)) + " an hour";
    return out;
  }

  // A day worker opening charts between 1 and 4 am on a day off, from their usual device.
  std::optional<Placement> place_off_hours(const Person& p) {
    const int day = static_cast<int>(rng_.between(w_.day_of(from_), w_.options.days - 1));
    const int64_t midnight = w_.day_start(day), t0 = midnight + kHour + rng_.below(110 * kMinute);
    const Session* last = last_before(p, t0);
    if (!last || !idle(p, midnight - 4 * kHour, midnight + kDay)) return std::nullopt;
    Placement out;
    Access a = usual_access(p, *last);
    const int charts = static_cast<int>(rng_.between(5, 12));
    const int64_t span = rng_.between(15, 55) * kMinute;
    for (int i = 0; i < charts; ++i) {
      int64_t t = t0 + span * i / charts + rng_.below(span / charts);
      int patient = w_.pick_patient(p, p.dept, t, rng_);
      if (patient < 0) return std::nullopt;
      open_chart(out.events, w_, rng_, p, t, a.channel(), patient);
    }
    out.description = "opened " + std::to_string(charts) + " charts from " + clock(t0) + " on " +
                      std::string(kWeekdayNames[w_.weekday(day)]) + ", a day off, from " + a.device +
                      (last->remote ? " through the VPN" : "");
    return out;
  }

  // A workstation or laptop never seen before, on the user's network, during a normal shift.
  std::optional<Placement> place_new_device(const Person& p) {
    const Session* s = some_session(p, 2 * kHour, false);
    if (!s) return std::nullopt;
    static constexpr std::string_view kChars = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
    Access a{std::string(p.application()), rng_.chance(0.5) ? "DESKTOP-" : "LAPTOP-",
             random_address(kDepartmentTable[s->dept].clinic ? Net::clinic_wifi : Net::campus_wifi, rng_)};
    for (int i = 0; i < 7; ++i) a.device += kChars[static_cast<size_t>(rng_.below(kChars.size()))];
    Placement out;
    if (!open_charts(out.events, p, s->dept, some_time(*s, 40 * kMinute), a, static_cast<int>(rng_.between(2, 3))))
      return std::nullopt;
    out.description = "used " + a.device + ", never seen before, for " + std::to_string(out.events.size()) +
                      " accesses during a shift on " + std::string(kDepartmentTable[s->dept].name);
    return out;
  }

  // A far city at the user's usual time of day, on a day off, from their phone: possible to reach, never used.
  std::optional<Placement> place_new_location(const Person& p) {
    const Session* usual = some_session(p, kHour, true);
    if (!usual) return std::nullopt;
    const int day = static_cast<int>(rng_.between(w_.day_of(from_), w_.options.days - 1));
    const int64_t t0 = w_.day_start(day) + (usual->start - w_.midnight) % kDay + rng_.between(30, 180) * kMinute;
    const Session* last = last_before(p, t0);
    auto a = personal_device(p, t0);
    if (!a || !last || !idle(p, t0 - 10 * kHour, t0 + 11 * kHour)) return std::nullopt;
    const Net net = rng_.chance(0.5) ? Net::seattle : Net::miami;
    a->ip = random_address(net, rng_);
    Placement out;
    if (!open_charts(out.events, p, p.dept, t0, *a, static_cast<int>(rng_.between(1, 2)))) return std::nullopt;
    out.description = "accessed from " + std::string(site_of(net).name) + " (" + a->ip + ", " +
                      grouped(site_of(net).km_from_campus) + " km away) on " + a->device + ", " +
                      std::to_string((t0 - last->end) / kHour) + " h after the last access";
    return out;
  }

  // Minutes after an access on site, the same account from another continent.
  std::optional<Placement> place_impossible_travel(const Person& p) {
    const Session* s = some_session(p, 2 * kHour, false);
    if (!s) return std::nullopt;
    const int64_t t0 = some_time(*s, 30 * kMinute), t1 = t0 + rng_.between(4, 28) * kMinute;
    auto far = personal_device(p, t1);
    if (!far) return std::nullopt;
    const Net net = rng_.chance(0.5) ? Net::lagos : Net::bucharest;
    far->ip = random_address(net, rng_);
    Placement out;
    if (!open_charts(out.context, p, s->dept, t0, usual_access(p, *s), 1) ||
        !open_charts(out.events, p, s->dept, t1, *far, 1))
      return std::nullopt;
    const Site& here = kSites[kDepartmentTable[s->dept].clinic ? 1 : 0];
    out.description = "accessed from " + std::string(site_of(net).name) + " (" + far->ip + ", about " +
                      grouped((site_of(net).km_from_campus + 50) / 100 * 100) + " km away) on " + far->device + ", " +
                      std::to_string((t1 - t0) / kMinute) + " min after an access on " + std::string(here.name);
    return out;
  }

  // One to three reads of a VIP's chart, from someone whose department has no business there.
  std::optional<Placement> place_vip_snooping(const Person& p) {
    const Vip& vip = w_.vips[static_cast<size_t>(rng_.below(static_cast<int64_t>(w_.vips.size())))];
    const Session* s = some_session(p, 2 * kHour, true);
    if (w_.may_open(p, vip.patient) || !s) return std::nullopt;
    const Access a = usual_access(p, *s);
    Placement out;
    int64_t t = some_time(*s, 30 * kMinute);
    emit(out.events, w_, rng_, p, t, a.channel(), vip.patient, "Patient", "read");
    static constexpr std::string_view kPeek[] = {"DocumentReference", "Observation", "DiagnosticReport"};
    for (int64_t n = rng_.below(3); n > 0; --n) {
      t += rng_.between(15, 120);
      emit(out.events, w_, rng_, p, t, a.channel(), vip.patient, kPeek[rng_.below(3)], "read");
    }
    out.description = "opened the chart of a VIP patient (" + std::string(vip.label) + ", on " +
                      std::string(kDepartmentTable[vip.dept].name) + ") from " +
                      std::string(kDepartmentTable[p.dept].name) + ", outside its allowed departments";
    return out;
  }

  // A sign-in on the phone app, then within minutes one host and application after another.
  std::optional<Placement> place_lateral_movement(const Person& p) {
    const Session* s = some_session(p, 90 * kMinute, false);
    if (!s || kDepartmentTable[s->dept].clinic) return std::nullopt;
    const int64_t t0 = some_time(*s, 20 * kMinute);
    if (t0 >= p.phone_replaced) return std::nullopt;
    const int patient = w_.pick_patient(p, s->dept, t0, rng_);
    if (patient < 0) return std::nullopt;
    Placement out;
    const Access phone{p.phone_app, p.phone, random_address(Net::campus_wifi, rng_)};
    emit(out.events, w_, rng_, p, t0, phone.channel(), patient, "Patient", "read");

    std::vector<Access> targets = {{"citrix", "citrix-sf-01", "10.20.200.11"},
                                   {"fileshare", "fs-clin-01", "10.20.200.21"}};
    for (int d = 0; d < kDepartments; ++d) {
      if (d == p.dept || d == s->dept || kDepartmentTable[d].clinic) continue;
      const auto& hosts = w_.hosts[static_cast<size_t>(d)];
      const Host& h = hosts[static_cast<size_t>(rng_.below(static_cast<int64_t>(hosts.size())))];
      targets.push_back({d == radiology ? "pacs-viewer" : d == pfs ? "resolute" : "hyperspace", h.name, h.ip});
    }
    rng_.shuffle(targets);
    targets.resize(static_cast<size_t>(rng_.between(5, 7)));
    std::vector<int64_t> at;
    for (size_t i = 0; i < targets.size(); ++i) at.push_back(t0 + rng_.between(40, 510));
    std::sort(at.begin(), at.end());
    std::string reached;
    for (size_t i = 0; i < targets.size(); ++i) {
      const Access& a = targets[i];
      if (a.application == "citrix") {
        emit(out.events, w_, rng_, p, at[i], a.channel(), -1, "Endpoint", "execute");
      } else if (a.application == "fileshare") {
        emit(out.events, w_, rng_, p, at[i], a.channel(), -1, "Binary", "read");
      } else {
        std::string_view resource = a.application == "pacs-viewer" ? "ImagingStudy"
                                    : a.application == "resolute"  ? "Account"
                                                                   : "Patient";
        emit(out.events, w_, rng_, p, at[i], a.channel(), any_patient(), resource, "read");
      }
      reached += (i ? ", " : "") + a.application + " on " + a.device;
    }
    out.description = "signed in on " + p.phone_app + " from " + p.phone + ", then reached " +
                      std::to_string(targets.size()) + " other applications and hosts within " +
                      std::to_string((at.back() - t0 + kMinute - 1) / kMinute) + " min: " + reached;
    return out;
  }

  World& w_;
  Simulation& out_;
  Rng rng_;
  const int64_t from_;      // no anomaly before the warm-up has passed
  std::vector<bool> used_;  // by staff index: has an anomaly already
};

}  // namespace

void inject_anomalies(World& w, Simulation& out) { Injector(w, out).run(); }

}  // namespace wardline::ehr::sim
