// Sealed archives of the audit log and retention (export, verify, purge,
// import). Format: docs/audit-log-format.md, "Archives".
#include <openssl/evp.h>
#include <zstd.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <functional>
#include <optional>

#include "audit/ledger_impl.h"
#include "core/time.h"

namespace wardline::audit {
namespace {

constexpr const char* kFormat = "wardline-audit-archive";
constexpr int kVersion = 1;

// Streams text through zstd into a file, hashing the compressed bytes.
class ZstdWriter {
 public:
  explicit ZstdWriter(const std::string& path) : out_(path, std::ios::binary | std::ios::trunc), ctx_(ZSTD_createCCtx()) {
    ZSTD_CCtx_setParameter(ctx_, ZSTD_c_compressionLevel, 9);
    ZSTD_CCtx_setParameter(ctx_, ZSTD_c_checksumFlag, 1);
    EVP_DigestInit_ex(md_ = EVP_MD_CTX_new(), EVP_sha256(), nullptr);
  }
  ~ZstdWriter() {
    ZSTD_freeCCtx(ctx_);
    EVP_MD_CTX_free(md_);
  }
  bool ok() const { return out_.good(); }
  bool write(const std::string& text) { return pump(text, ZSTD_e_continue); }
  // Finishes the frame; returns the SHA-256 (hex) of the file, or "" on error.
  std::string finish() {
    if (!pump("", ZSTD_e_end)) return "";
    out_.close();
    if (!out_) return "";
    unsigned char md[32];
    unsigned int len = 0;
    EVP_DigestFinal_ex(md_, md, &len);
    return crypto::hex_encode(std::string(reinterpret_cast<char*>(md), len));
  }

 private:
  bool pump(const std::string& text, ZSTD_EndDirective mode) {
    ZSTD_inBuffer in{text.data(), text.size(), 0};
    std::string buf(ZSTD_CStreamOutSize(), '\0');
    for (;;) {
      ZSTD_outBuffer o{buf.data(), buf.size(), 0};
      size_t left = ZSTD_compressStream2(ctx_, &o, &in, mode);
      if (ZSTD_isError(left)) return false;
      out_.write(buf.data(), static_cast<std::streamsize>(o.pos));
      EVP_DigestUpdate(md_, buf.data(), o.pos);
      if (mode == ZSTD_e_end ? left == 0 : in.pos == in.size) return out_.good();
    }
  }
  std::ofstream out_;
  ZSTD_CCtx* ctx_;
  EVP_MD_CTX* md_ = nullptr;
};

// Decompresses a zstd stream and hands over one line at a time, so memory is
// bounded by the longest line, not by what the archive expands to.
Status for_each_line(std::string_view compressed, const std::function<Status(std::string_view)>& on_line) {
  constexpr size_t kMaxLine = 16 << 20;
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  ZSTD_inBuffer in{compressed.data(), compressed.size(), 0};
  std::string buf(ZSTD_DStreamOutSize(), '\0'), pending;
  size_t last = 1;
  while (in.pos < in.size) {
    ZSTD_outBuffer o{buf.data(), buf.size(), 0};
    last = ZSTD_decompressStream(ctx.get(), &o, &in);
    if (ZSTD_isError(last))
      return make_error("invalid_archive", std::string("archive is not valid zstd data: ") + ZSTD_getErrorName(last));
    pending.append(buf.data(), o.pos);
    size_t start = 0;
    for (size_t nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n', start)) {
      if (Status s = on_line(std::string_view(pending).substr(start, nl - start)); !s) return s;
      start = nl + 1;
    }
    pending.erase(0, start);
    if (pending.size() > kMaxLine) return make_error("invalid_archive", "archive holds a line longer than 16 MiB");
    if (o.pos == 0 && in.pos == in.size) break;
  }
  if (last != 0) return make_error("invalid_archive", "archive is truncated (the zstd frame does not end)");
  if (!pending.empty()) return on_line(pending);
  return {};
}

Result<std::vector<Hash>> hashes_from_json(const nlohmann::json& arr, const char* what) {
  if (!arr.is_array()) return make_error("invalid_archive", std::string(what) + " must be an array of hex hashes");
  std::vector<Hash> out;
  for (const auto& x : arr) {
    auto h = x.is_string() ? hash_from_hex(x.get<std::string>()) : Result<Hash>(make_error("", ""));
    if (!h) return make_error("invalid_archive", std::string(what) + " holds something that is not a SHA-256 hash");
    out.push_back(*h);
  }
  return out;
}

}  // namespace

namespace {

// Checks an archive; with `entries` set, also hands back (index, leaf) pairs.
Result<ArchiveInfo> check_archive(std::string_view compressed, const std::string& trusted_key,
                                  std::vector<std::pair<uint64_t, std::string>>* entries) {
  ArchiveInfo info;
  std::optional<CompactRange> range;
  std::string key;
  uint64_t expected = 0;
  size_t line_no = 0;
  bool ended = false;
  auto bad = [&](const std::string& why) {
    return make_error("invalid_archive", "archive line " + std::to_string(line_no) + ": " + why);
  };
  auto str = [](const nlohmann::json& j, const char* k) {
    return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string();
  };
  Status s = for_each_line(compressed, [&](std::string_view line) -> Status {
    ++line_no;
    if (ended) return line.empty() ? Status() : bad("data after the trailer");
    if (line.empty()) return {};
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
    if (!range) {  // the header
      if (str(j, "format") != kFormat) return bad(std::string("not a header of format '") + kFormat + "'");
      if (!j.contains("version") || !j["version"].is_number_integer() || j["version"].get<int>() != kVersion)
        return bad("unsupported archive version");
      if (!j.contains("first_index") || !j["first_index"].is_number_unsigned() || !j.contains("end_index") ||
          !j["end_index"].is_number_unsigned())
        return bad("first_index and end_index must be non-negative integers");
      info.first_index = j["first_index"];
      info.end_index = j["end_index"];
      if (info.end_index < info.first_index) return bad("end_index is before first_index");
      auto edge = j.contains("prefix_edge") ? hashes_from_json(j["prefix_edge"], "prefix_edge")
                                            : Result<std::vector<Hash>>(bad("prefix_edge is missing"));
      if (!edge) return bad(edge.error().message);
      auto r = CompactRange::from_edge(info.first_index, *edge);
      if (!r) return bad(r.error().message);
      if (!j.contains("sth") || !j["sth"].is_object()) return bad("sth is missing");
      auto sth = sth_from_json(j["sth"].dump());
      if (!sth) return bad(sth.error().message);
      info.sth = *sth;
      info.public_key_pem = str(j, "public_key_pem");
      if (!trusted_key.empty() && !info.public_key_pem.empty() && info.public_key_pem != trusted_key)
        return bad("the archive was signed with a different key than the trusted one");
      key = trusted_key.empty() ? info.public_key_pem : trusted_key;
      range = *r;
      expected = info.first_index;
      return {};
    }
    if (j.contains("end")) {
      if (!j.contains("entries") || !j["entries"].is_number_unsigned() ||
          j["entries"].get<uint64_t>() != info.end_index - info.first_index)
        return bad("the trailer's entry count does not match the header");
      ended = true;
      return {};
    }
    if (!j.contains("index") || !j["index"].is_number_unsigned() || !j.contains("leaf") || !j["leaf"].is_string())
      return bad("an entry needs index and leaf");
    uint64_t index = j["index"];
    if (index != expected) return bad("entry " + std::to_string(expected) + " is missing (found " + std::to_string(index) + ")");
    if (index >= info.end_index) return bad("entry " + std::to_string(index) + " is beyond end_index");
    const std::string& leaf = j["leaf"].get_ref<const std::string&>();
    if (seq_of_leaf(leaf) != static_cast<int64_t>(index)) return bad("entry " + std::to_string(index) + " holds another entry's data");
    range->append(leaf_hash(leaf));
    if (entries) entries->emplace_back(index, leaf);
    ++expected;
    return {};
  });
  if (!s) return s.error();
  if (!range) return make_error("invalid_archive", "the archive is empty");
  if (!ended) return make_error("invalid_archive", "archive is truncated: no trailer after entry " + std::to_string(expected));
  if (expected != info.end_index) return make_error("invalid_archive", "archive ends at entry " + std::to_string(expected));
  if (info.sth.tree_size != info.end_index || info.sth.root != range->root())
    return make_error("invalid_archive", "the entries do not add up to the signed tree head at size " +
                                             std::to_string(info.end_index) + ": the archive was altered");
  if (key.empty()) return make_error("invalid_archive", "no public key to check the tree head's signature with");
  auto sig = verify_sth(info.sth, key);
  if (!sig) return sig.error();
  if (!*sig) return make_error("invalid_archive", "the tree head's signature does not verify");
  info.sha256 = crypto::sha256_hex(compressed);
  return info;
}

Result<std::string> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("archive_unreadable", "cannot read archive '" + path + "'");
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

Result<ArchiveInfo> verify_archive_bytes(std::string_view compressed, const std::string& trusted_key) {
  return check_archive(compressed, trusted_key, nullptr);
}

Result<ArchiveInfo> verify_archive_file(const std::string& path, const std::string& trusted_key) {
  auto bytes = read_all(path);
  if (!bytes) return bytes.error();
  return verify_archive_bytes(*bytes, trusted_key);
}

Result<uint64_t> AuditLog::purged_before() {
  auto rows = impl_->store.query("SELECT MAX(before_index) FROM audit_purges");
  if (!rows) return rows.error();
  return static_cast<uint64_t>(rows->front().integer(0));
}

Result<ArchiveInfo> AuditLog::export_archive(uint64_t end, const std::string& path, const std::string& actor) {
  if (Status s = impl_->refresh(); !s) return s.error();
  auto first = purged_before();
  if (!first) return first.error();
  auto n = size();
  if (!n) return n.error();
  if (end % kBlock || end <= *first || end > *n)
    return make_error("invalid_index", "the archive's end index must be a multiple of 16 after " + std::to_string(*first) +
                                           " and at most the log's size " + std::to_string(*n), "end_index");
  auto sth = impl_->sign_at(end);
  if (!sth) return sth.error();
  auto edge = impl_->edge_of(*first);
  if (!edge) return edge.error();
  ZstdWriter out(path);
  if (!out.ok()) return make_error("archive_unwritable", "cannot write archive '" + path + "'");
  nlohmann::json header{{"format", kFormat},        {"version", kVersion},
                        {"first_index", *first},    {"end_index", end},
                        {"prefix_edge", to_hex(*edge)}, {"sth", nlohmann::json::parse(sth_to_json(*sth))},
                        {"public_key_pem", public_key_pem()}, {"created_at", now_rfc3339()}};
  out.write(header.dump() + "\n");
  for (uint64_t from = *first; from < end; from += 10000) {
    auto rows = impl_->store.query("SELECT seq, data FROM audit_log WHERE seq >= ? AND seq < ? ORDER BY seq",
                                   {static_cast<int64_t>(from), static_cast<int64_t>(std::min(end, from + 10000))});
    if (!rows) return rows.error();
    for (const auto& r : *rows)
      if (!out.write(nlohmann::json{{"index", r.integer(0)}, {"leaf", r.text(1)}}.dump() + "\n"))
        return make_error("archive_unwritable", "cannot write archive '" + path + "' (disk full?)");
  }
  out.write(nlohmann::json{{"end", true}, {"entries", end - *first}}.dump() + "\n");
  std::string digest = out.finish();
  if (digest.empty()) return make_error("archive_unwritable", "cannot finish archive '" + path + "'");
  // Read it back: an archive that does not verify must never permit a purge.
  auto checked = verify_archive_file(path, public_key_pem());
  if (!checked) return make_error(checked.error().code, "the archive just written does not verify: " + checked.error().message);
  auto e = siem::make_event("admin.audit_archived", "success");
  e.actor = actor;
  e.subject = std::to_string(*first) + ".." + std::to_string(end - 1);
  e.details = {{"sha256", digest}, {"file", path}};
  if (auto r = record(e); !r) return r.error();
  auto ins = impl_->store.execute(
      "INSERT INTO audit_archives (end_index, first_index, sha256, file, exported_at) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT (end_index) DO UPDATE SET sha256 = excluded.sha256, file = excluded.file, exported_at = excluded.exported_at",
      {static_cast<int64_t>(end), static_cast<int64_t>(*first), digest, path, unix_now()});
  if (!ins) return ins.error();
  checked->sha256 = digest;
  return *checked;
}

Result<uint64_t> AuditLog::purge(uint64_t end, std::chrono::seconds retention, const std::string& actor) {
  auto first = purged_before();
  if (!first) return first.error();
  auto archived = impl_->store.query("SELECT sha256 FROM audit_archives WHERE end_index = ? AND first_index = ?",
                                     {static_cast<int64_t>(end), static_cast<int64_t>(*first)});
  if (!archived) return archived.error();
  if (archived->empty())
    return make_error("not_archived", "entries " + std::to_string(*first) + ".." + std::to_string(end - 1) +
                                          " have not been archived; run 'wardline audit archive export --end-index " +
                                          std::to_string(end) + " --out FILE' first", "end_index");
  auto newest = impl_->store.query("SELECT MAX(time) FROM audit_log WHERE seq >= ? AND seq < ?",
                                   {static_cast<int64_t>(*first), static_cast<int64_t>(end)});
  if (!newest) return newest.error();
  std::string cutoff = to_rfc3339(unix_now() - retention.count());
  std::string youngest = newest->front().text(0);
  if (!youngest.empty() && youngest >= cutoff)
    return make_error("retention", "entries up to " + std::to_string(end - 1) + " include one from " + youngest +
                                       ", within the retention period (nothing before " + cutoff + " may be removed)",
                      "end_index");
  auto edge = impl_->edge_of(end);
  if (!edge) return edge.error();
  auto e = siem::make_event("admin.audit_purged", "success");
  e.actor = actor;
  e.subject = std::to_string(*first) + ".." + std::to_string(end - 1);
  e.details = {{"archive_sha256", archived->front().text(0)}};
  if (auto r = record(e); !r) return r.error();
  uint64_t removed = 0;
  Status s = impl_->store.transaction([&](store::Executor& tx) -> Status {
    auto n = tx.execute("DELETE FROM audit_log WHERE seq >= ? AND seq < ?",
                        {static_cast<int64_t>(*first), static_cast<int64_t>(end)});
    if (!n) return n.error();
    removed = static_cast<uint64_t>(*n);
    auto ins = tx.execute("INSERT INTO audit_purges (before_index, first_index, edge, archive_sha256, purged_at) VALUES (?, ?, ?, ?, ?)",
                          {static_cast<int64_t>(end), static_cast<int64_t>(*first), nlohmann::json(to_hex(*edge)).dump(),
                           archived->front().text(0), unix_now()});
    return ins ? Status() : Status(ins.error());
  });
  if (!s) return s.error();
  impl_->purged = end;
  return removed;
}

Result<uint64_t> AuditLog::import_archive(const std::string& path, const std::string& actor) {
  // The bytes that are verified are the bytes that are imported.
  auto bytes = read_all(path);
  if (!bytes) return bytes.error();
  std::vector<std::pair<uint64_t, std::string>> entries;
  auto info = check_archive(*bytes, public_key_pem(), &entries);
  if (!info) return info.error();
  auto last = impl_->store.query("SELECT first_index, before_index FROM audit_purges ORDER BY before_index DESC LIMIT 1");
  if (!last) return last.error();
  if (last->empty() || static_cast<uint64_t>(last->front().integer(1)) != info->end_index ||
      static_cast<uint64_t>(last->front().integer(0)) != info->first_index)
    return make_error("invalid_archive", "only the archive of the most recent purge can be imported (entries " +
                                             (last->empty() ? std::string("none") : last->front().text(0) + ".." +
                                                                                        std::to_string(last->front().integer(1) - 1)) +
                                             ")");
  store::Params rows;
  for (const auto& [index, leaf] : entries) {
    auto e = event_from_leaf(leaf);
    if (!e) return e.error();
    rows.insert(rows.end(), {static_cast<int64_t>(index), e->time, e->type, e->actor, e->subject, e->outcome,
                             e->source_ip, leaf, to_hex(leaf_hash(leaf))});
  }
  Status s = impl_->store.transaction([&](store::Executor& tx) -> Status {
    if (Status r = detail::insert_rows(tx, "INSERT INTO audit_log (seq, time, type, actor, subject, outcome, source_ip, data, leaf_hash)", 9, rows); !r)
      return r;
    auto d = tx.execute("DELETE FROM audit_purges WHERE before_index = ?", {static_cast<int64_t>(info->end_index)});
    return d ? Status() : Status(d.error());
  });
  if (!s) return s.error();
  impl_->purged = info->first_index;
  auto e = siem::make_event("admin.audit_restored", "success");
  e.actor = actor;
  e.subject = std::to_string(info->first_index) + ".." + std::to_string(info->end_index - 1);
  e.details = {{"archive_sha256", info->sha256}};
  if (auto r = record(e); !r) return r.error();
  return rows.size() / 9;
}

}  // namespace wardline::audit
