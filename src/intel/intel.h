// Threat intelligence: indicators from feeds (STIX 2.1, MISP, CSV, plain
// lists) become one compact, immutable IndicatorSet; log parsers (Zeek,
// Squid, Suricata EVE, CEF, ECS JSON lines) turn log lines into observed
// destinations; scanning matches one against the other; exports turn the set
// into block lists (DNS RPZ, STIX 2.1, domain lists, Squid ACLs).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace wardline::store { class Store; }

namespace wardline::intel {

// ---------------------------------------------------------------- indicators

enum class IndicatorType : uint8_t { domain, url, ipv4, ipv6, email, phone, sha256, sha1, md5, sender_id };
std::string_view type_name(IndicatorType type);  // "domain", "url", "ipv4", ...
std::optional<IndicatorType> parse_type(std::string_view name);

// The canonical form matching compares: hosts lowercased and IDNs in
// punycode (IDNA 2008), URLs normalised (RFC 3986 §6.2.2: scheme and host
// case, default port, percent-encoding, no fragment), IPs in their shortest
// text form with "/len" for networks, hashes lowercase hex, phones E.164.
// The error says what is wrong with the value.
Result<std::string> normalize(IndicatorType type, std::string_view raw, std::string_view phone_region = "US");
// The type a bare value most likely has (plain lists, free-text feeds).
std::optional<IndicatorType> guess_type(std::string_view raw);
// "hxxps://evil[.]example" -> "https://evil.example": links as reports show them, live again.
std::string refang(std::string_view defanged);

struct Indicator {
  IndicatorType type = IndicatorType::domain;
  std::string value;  // raw or normalised; IndicatorSetBuilder normalises
  int confidence = -1;  // 0-100; -1: the feed's default
  std::vector<std::string> labels;
  int64_t valid_from = 0;   // Unix seconds; 0: unknown
  int64_t valid_until = 0;  // 0: no end
};

// ---------------------------------------------------------------- feeds

// Why an entry of a feed did not become an indicator.
struct Reject {
  std::string where;  // "line 12", "indicator--33fe...", "attribute 5a3c..."
  std::string reason;
};

struct FeedStats {
  size_t indicators = 0;
  size_t ignored = 0;   // entries not meant for detection: MISP to_ids false, revoked, other pattern languages
  size_t expired = 0;   // past their valid_until
  size_t decayed = 0;   // confidence decayed below the floor (feeds with a half-life)
  size_t rejected = 0;  // invalid values, patterns that cannot be represented, public suffixes
  std::vector<Reject> rejects;  // the first 100, with reasons
  void reject(std::string where, std::string reason);
};

// Readers normalise every value and pass valid indicators on. The sink may
// refuse one (a public suffix, a network too broad): the reader records why,
// with where the entry is in the feed. "warninglisted" refusals are counted
// as ignored.
using IndicatorSink = std::function<Status(Indicator&&)>;

// taxii: a TAXII 2.1 collection whose objects are read as a STIX bundle.
enum class FeedFormat { stix, misp, csv, urlhaus, list, taxii };
std::optional<FeedFormat> parse_feed_format(std::string_view name);
std::string_view feed_format_name(FeedFormat format);

// Columns of a CSV feed (0-based). `type_column` < 0: every value is `type`;
// without `type`, each value's type is guessed.
struct CsvLayout {
  int value_column = 0;
  int type_column = -1;
  std::optional<IndicatorType> type;
  int labels_column = -1;  // labels separated by ',' inside the cell
  int time_column = -1;    // first seen, "YYYY-MM-DD HH:MM:SS" UTC or RFC 3339
  bool header = false;     // first non-comment row names the columns
};
CsvLayout urlhaus_layout();

Status read_stix_bundle(std::string_view json, const IndicatorSink& sink, FeedStats& stats);
Status read_misp_event(std::string_view json, const IndicatorSink& sink, FeedStats& stats);
void read_csv_feed(std::string_view text, const CsvLayout& layout, const IndicatorSink& sink, FeedStats& stats);
void read_list_feed(std::string_view text, const IndicatorSink& sink, FeedStats& stats);  // values split on white space, '#' comments

// A STIX pattern as far as matching goes: the (type, value) pairs any one
// of which is a hit, or why the pattern cannot be represented that way.
struct StixPatternIocs {
  std::vector<std::pair<IndicatorType, std::string>> iocs;
  std::string unsupported;  // empty when representable
};
// Errors for patterns that are not valid STIX 2.1 pattern syntax.
Result<StixPatternIocs> stix_pattern_iocs(std::string_view pattern);

// ---------------------------------------------------------------- indicator set

struct Provenance {
  std::vector<std::string> feeds;
  int confidence = 0;  // highest among the feeds
  std::vector<std::string> labels;
  int64_t valid_from = 0, valid_until = 0;
};

struct Match {
  IndicatorType type;
  std::string value;  // the indicator as normalised
  const Provenance* provenance;
};

// Domains listed on a warning list (top sites, the hospital's own domains)
// never become indicators: they are counted instead, so one bad feed entry
// cannot block the EHR.
struct WarningList {
  std::vector<std::string> domains;
};

class IndicatorSet;

// Builds an IndicatorSet from normalised indicators; duplicates merge their
// provenance. reserve() first avoids growth copies.
class IndicatorSetBuilder {
 public:
  explicit IndicatorSetBuilder(const WarningList& warning = {});
  ~IndicatorSetBuilder();
  // Sizes the memory for this many more records and key bytes.
  void reserve(size_t records, size_t key_bytes);
  // An error says why the value was refused.
  Status add(const Indicator& indicator, std::string_view feed, int default_confidence = 50);
  size_t warninglisted() const;
  std::shared_ptr<const IndicatorSet> build();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Immutable and shared between scanning threads. Lookups take normalised
// values; matching is exact, plus parent domains (never a public suffix:
// those are refused when the set is built), URL prefixes at path
// boundaries and IP longest-prefix.
class IndicatorSet {
 public:
  struct Impl;
  explicit IndicatorSet(std::unique_ptr<Impl> impl);
  ~IndicatorSet();

  size_t size() const;
  size_t count(IndicatorType type) const;
  size_t memory_bytes() const;  // everything the set holds on the heap
  size_t warninglisted() const;

  std::optional<Match> match_host(std::string_view host) const;  // a domain or an IP literal
  std::optional<Match> match_ip(std::string_view ip) const;
  std::optional<Match> match_url(std::string_view url) const;  // also matches the URL's host
  std::optional<Match> match_exact(IndicatorType type, std::string_view normalized) const;
  // Whether this exact indicator (normalised value, networks as "addr/len") is in the set.
  bool contains(IndicatorType type, std::string_view normalized) const;

  // Every indicator in insertion order.
  void for_each(const std::function<void(IndicatorType, std::string_view, const Provenance&)>& fn) const;

 private:
  friend struct SnapshotAccess;
  std::unique_ptr<Impl> impl_;
};

// The compiled set on disk: written aside and renamed into place; loading
// checks a checksum and every internal reference.
Status save_snapshot(const IndicatorSet& set, const std::string& path);
Result<std::shared_ptr<const IndicatorSet>> load_snapshot(const std::string& path);

// The set scans use now. replace() swaps atomically; scans holding the old
// set finish on it and the last one frees it.
class LiveIndicators {
 public:
  std::shared_ptr<const IndicatorSet> current() const { return set_.load(); }
  void replace(std::shared_ptr<const IndicatorSet> next) { set_.store(std::move(next)); }

 private:
  std::atomic<std::shared_ptr<const IndicatorSet>> set_;
};

// A feed on disk: a file (format detected from its content when not given)
// or a MISP feed directory (manifest.json and one file per event).
struct FeedFile {
  std::string name;  // provenance label; defaults to the file name
  std::string path;
  std::optional<FeedFormat> format;
  int confidence = 50;    // for indicators that carry none
  int64_t half_life = 0;  // seconds; 0: confidence does not decay
};

// Indicator lifecycle when a set is compiled. An indicator past its
// valid_until is left out. For a feed with a half-life, confidence halves
// every half-life since the indicator's valid_from or its last sighting in
// alerts, whichever is later (an indicator without valid_from is as fresh as
// the feed that still lists it); below `min_confidence` it is left out.
struct Lifecycle {
  int64_t now = 0;  // 0: no lifecycle (offline scans of feed files)
  int min_confidence = 10;
  std::function<int64_t(IndicatorType, std::string_view)> last_sighting;  // 0: never seen
  std::set<std::string> suppressed;  // "type:value" an analyst called a false positive: left out, counted as ignored
};
struct FeedReport {
  std::string name;
  FeedFormat format = FeedFormat::list;
  FeedStats stats;
};
// Indicators Wardline produces itself, e.g. from confirmed smishing campaigns
// (labelled "campaign:<id>" so that alerts name the campaign).
struct LocalFeed {
  std::string name;
  std::vector<Indicator> indicators;  // raw values: normalised on loading
  int confidence = 90;
};

// Reads every feed into one set; per-feed counts and rejects go to `reports`.
// Errors are for feeds that cannot be read at all.
Result<std::shared_ptr<const IndicatorSet>> load_indicator_set(const std::vector<FeedFile>& feeds, const WarningList& warning,
                                                              std::vector<FeedReport>& reports,
                                                              const std::vector<LocalFeed>& local = {},
                                                              const Lifecycle& lifecycle = {});

// ---------------------------------------------------------------- feed registry

// How to reach a feed server: authentication and trust. Secrets stay in
// files (mode 0600); only their paths are stored.
struct FeedAccess {
  std::string auth;     // "", "bearer:TOKEN_FILE" or "basic:USER:PASSWORD_FILE"
  std::string ca_file;  // CA bundle for a server with a private CA; empty: the system's
};
Status check_feed_access(const FeedAccess& access);

// A feed the hospital subscribes to, and how its last pull went.
struct FeedEntry {
  std::string name;    // [a-z0-9_-], up to 64
  std::string source;  // a file path, file://, http:// or https:// URL; for taxii the collection URL
                       //   (https://HOST/API_ROOT/collections/ID/)
  std::optional<FeedFormat> format;  // nullopt: detected
  FeedAccess access;
  int64_t half_life = 0;  // seconds; 0: confidence does not decay
  int confidence = 50;
  int64_t added_at = 0;
  std::string added_by;
  int64_t last_pull_at = 0;
  std::string last_status;  // "", "ok", "not_modified", "error"
  std::string last_error;
  size_t indicators = 0, rejected = 0, ignored = 0, expired = 0, decayed = 0;
  std::vector<Reject> rejects;  // the first few, with reasons
};

struct PullResult {
  std::vector<FeedEntry> feeds;  // with their new status
  size_t indicators = 0;         // in the compiled set
  size_t warninglisted = 0;
  size_t memory_bytes = 0;
};

// TAXII 2.1 discovery: the API roots a server lists and the collections of
// each, to find the URL to subscribe to.
struct TaxiiCollection {
  std::string api_root, id, title, url;
  bool can_read = false;
};
Result<std::vector<TaxiiCollection>> taxii_collections(const std::string& discovery_url, const FeedAccess& access);

// Where the compiled set lives: <data_dir>/intel/indicators.snapshot.
std::string snapshot_path(const std::string& data_dir);

// Feeds live in the store; their last content under <data_dir>/intel/feeds/
// and the compiled set in snapshot_path(data_dir).
class FeedRegistry {
 public:
  FeedRegistry(store::Store& store, std::string data_dir);

  Status add(const FeedEntry& feed);
  Status remove(const std::string& name);
  Result<std::vector<FeedEntry>> list();
  // Fetches every feed (conditional GET for URLs), keeps each one's last good
  // content, compiles them all into one set and writes the snapshot. A feed
  // that cannot be fetched keeps its previous content and is marked "error".
  // `min_confidence` is the floor for feeds with a half-life (Lifecycle).
  Result<PullResult> pull(const WarningList& warning, const std::vector<LocalFeed>& local = {}, int min_confidence = 10);
  std::string snapshot_path() const;

 private:
  std::string content_path(const std::string& name) const;
  store::Store& store_;
  std::string data_dir_;
};

// ---------------------------------------------------------------- logs

enum class LogFormat { zeek, squid, eve, cef, ecs };
std::optional<LogFormat> parse_log_format(std::string_view name);
std::string_view log_format_name(LogFormat format);
// From the first non-empty line of a file; nullopt when it looks like none.
std::optional<LogFormat> detect_log_format(std::string_view first_line);

enum class ObservedKind : uint8_t { host, ip, url, email, hash };

// One destination seen in a log line. Views stay valid until the next parse.
struct Observed {
  std::string_view field;  // the log's own field name, e.g. "id.resp_h", "url.full"
  ObservedKind kind;
  std::string_view value;
};

struct LogRecord {
  std::string_view timestamp;  // as written in the log
  std::string_view client;     // the address that made the connection or query; empty: unknown
  std::vector<Observed> observed;
};

enum class LineResult { record, skip, malformed };

class LogParser {
 public:
  virtual ~LogParser() = default;
  // `skip` for headers, comments and lines without destinations.
  virtual LineResult parse(std::string_view line, LogRecord& out) = 0;
  // Why the last line was malformed.
  virtual const std::string& error() const = 0;
};
std::unique_ptr<LogParser> make_log_parser(LogFormat format);

// ---------------------------------------------------------------- syslog

// RFC 6587 framing of a syslog stream (TCP, or TLS per RFC 5425): octet
// counting ("LEN SP MSG") or LF-terminated.
class SyslogFramer {
 public:
  explicit SyslogFramer(size_t max_message = 64 * 1024);
  void feed(std::string_view bytes);
  enum class Next { message, need_more, malformed };
  // The next whole message. `malformed` drops a bad or oversized frame
  // (error() says why) and reading goes on after it.
  Next next(std::string& message);
  const std::string& error() const { return error_; }

 private:
  Next compact();
  std::string buf_;
  size_t pos_ = 0, max_, skip_bytes_ = 0;
  bool skip_line_ = false;
  std::string error_;
};

// An RFC 5424 or RFC 3164 message; views into the frame.
struct SyslogMessage {
  int pri = -1;  // -1: no syslog header (the frame is the message)
  bool rfc5424 = false;
  std::string_view timestamp, host, app, structured_data;
  std::string_view msg;  // what the log parsers read; a leading BOM removed
};
SyslogMessage parse_syslog(std::string_view frame);

// ---------------------------------------------------------------- scanning

struct Hit {
  std::string_view file;
  uint64_t line;
  std::string_view timestamp;
  std::string_view field;
  std::string_view observed;
  std::string_view client;  // the record's client address, if the log has one
  Match match;
};

struct ScanStats {
  uint64_t lines = 0, records = 0, malformed = 0, hits = 0;
  std::vector<std::pair<uint64_t, std::string>> first_malformed;  // up to 10: line and reason
};

// Reads `fd` to the end, one log line at a time.
Result<ScanStats> scan_stream(int fd, std::string_view name, std::optional<LogFormat> format,
                              const IndicatorSet& set, const std::function<void(const Hit&)>& on_hit);

// Text already in memory (an API request body); `on_observed`, when set, sees
// every destination of every record (for the retro-hunt record).
Result<ScanStats> scan_text(std::string_view text, std::string_view name, std::optional<LogFormat> format,
                            const IndicatorSet& set, const std::function<void(const Hit&)>& on_hit,
                            const std::function<void(const Observed&)>& on_observed = nullptr);

// A regular file of `size` bytes, split at line boundaries between up to
// `threads` threads (8 MiB each at least; Zeek logs, whose header drives
// the parser, use one). Hits arrive in file order with file line numbers.
Result<ScanStats> scan_file(int fd, uint64_t size, std::string_view name, std::optional<LogFormat> format,
                            const IndicatorSet& set, unsigned threads, const std::function<void(const Hit&)>& on_hit);

// Canonical host of a log value: lowercase, no port, no trailing dot.
std::string_view host_of_url(std::string_view url);

// ---------------------------------------------------------------- alerts

// One hit, owned, with who sent the log it came from.
struct Sighting {
  std::string indicator;
  IndicatorType type = IndicatorType::domain;
  std::vector<std::string> feeds, labels;
  int confidence = 0;
  std::string source;  // "api:<user>", "syslog:<peer>", a file name
  std::string field, observed, timestamp;
  std::string client;          // the client address in the log line
  std::string device, user;    // the known device at that address and its user
  int64_t at = 0;  // when Wardline saw it (Unix seconds)
};

struct Alert {
  std::string id, indicator, status;  // open | acknowledged | closed | false_positive
  IndicatorType type = IndicatorType::domain;
  int64_t first_seen = 0, last_seen = 0, hits = 0;
  int confidence = 0;
  std::vector<std::string> feeds, labels;
  std::string campaign_id;  // the smishing campaign the indicator came from, if any ("campaign:<id>" label)
  std::string last_source, last_field, last_observed, last_timestamp;
  // The latest sighting's client address, and the device known at that
  // address with its user (empty when the address maps to no known device).
  std::string last_client, last_device, last_user;
};

// A match seen somewhere. URLs lose their query string (it can carry patient
// identifiers: minimum necessary).
Sighting sighting_of(const Match& match, std::string source, std::string_view field, std::string_view observed,
                     std::string_view timestamp, int64_t at);
// The owned form of a scan hit.
Sighting sighting_of(const Hit& hit, std::string source, int64_t at);

// Threat-intel alerts in the store: one open alert per indicator; later
// sightings count into it (hits, last seen, last observation).
class AlertBook {
 public:
  explicit AlertBook(store::Store& store);

  struct Changes {
    std::vector<Alert> created, updated;
  };
  // Sightings count into the indicator's open or acknowledged alert; after
  // it is closed the next sighting opens a new one. Sightings of an
  // indicator an analyst called a false positive are dropped.
  Result<Changes> record(const std::vector<Sighting>& sightings);
  // Triage; returns the previous status. `false_positive` suppresses the
  // indicator (no more alerts; left out of the next compiled set) until the
  // alert is reopened.
  Result<std::string> set_status(const std::string& id, const std::string& status);
  // Indicators suppressed as false positives, as "type:value".
  Result<std::set<std::string>> suppressed();
  // Takes back alerts just created (their audit record could not be written).
  Status withdraw(const std::vector<std::string>& ids);

  struct Page {
    std::vector<Alert> alerts;
    std::string next_cursor;
  };
  // Most recently seen first; `status` empty: all.
  Result<Page> list(const std::string& status, const std::string& cursor, int limit);
  Result<Alert> get(const std::string& id);

 private:
  store::Store& store_;
};

// ---------------------------------------------------------------- retro-hunt

// The destinations the daemon has seen in ingested logs, one row per value and
// day (no log lines: hosts, IPs, URLs without query strings), so that new
// indicators can be matched against the last days of traffic.
class ObservationLog {
 public:
  explicit ObservationLog(store::Store& store);

  // Collects a batch's distinct destinations; record() writes them.
  class Batch {
   public:
    void add(const Observed& o);
    size_t size() const { return values_.size(); }

   private:
    friend class ObservationLog;
    std::map<std::pair<ObservedKind, std::string>, int64_t> values_;  // -> count
  };
  Status record(const Batch& batch, const std::string& source, int64_t at);

  // Sightings among the observations since `since` (Unix seconds) of the
  // indicators of `set` that `previous` (the set in use before) did not have:
  // new indicators meet past traffic. Source "retro-hunt".
  Result<std::vector<Sighting>> hunt(const IndicatorSet& set, const IndicatorSet* previous, int64_t since);
  // Drops the days before `before`; returns how many rows went.
  Result<int64_t> expire(int64_t before);

 private:
  store::Store& store_;
};

// ---------------------------------------------------------------- exports

enum class ExportFormat { rpz, stix, domains, squid_acl };
std::optional<ExportFormat> parse_export_format(std::string_view name);

struct ExportOptions {
  std::string zone = "rpz.wardline.local";  // RPZ origin
  int64_t now = 0;                          // Unix seconds: serial, STIX timestamps
  std::string identity = "Wardline";        // STIX identity the bundle is created by
};
// The indicator set as a block list. Sharing exports carry only indicator
// values and provenance: no reports, reporters or message text exist in the
// set, and private / internal IP ranges are left out.
std::string export_indicators(const IndicatorSet& set, ExportFormat format, const ExportOptions& options);

}  // namespace wardline::intel
