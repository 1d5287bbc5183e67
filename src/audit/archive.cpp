// Sealed archives of the audit log and retention (export, verify, purge,
// import). Format: docs/audit-log-format.md, "Archives".
#include <openssl/evp.h>
#include <zstd.h>

#include <nlohmann/json.hpp>

#include <fstream>

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

Result<std::string> decompress(std::string_view compressed) {
  std::string out;
  ZSTD_DCtx* ctx = ZSTD_createDCtx();
  ZSTD_inBuffer in{compressed.data(), compressed.size(), 0};
  std::string buf(ZSTD_DStreamOutSize(), '\0');
  size_t last = 1;
  while (in.pos < in.size) {
    ZSTD_outBuffer o{buf.data(), buf.size(), 0};
    last = ZSTD_decompressStream(ctx, &o, &in);
    if (ZSTD_isError(last)) {
      ZSTD_freeDCtx(ctx);
      return make_error("invalid_archive", std::string("archive is not valid zstd data: ") + ZSTD_getErrorName(last));
    }
    out.append(buf.data(), o.pos);
    if (out.size() > (size_t{8} << 30)) {
      ZSTD_freeDCtx(ctx);
      return make_error("invalid_archive", "archive decompresses to more than 8 GiB; refusing");
    }
    if (o.pos == 0 && in.pos == in.size) break;
  }
  ZSTD_freeDCtx(ctx);
  if (last != 0) return make_error("invalid_archive", "archive is truncated (the zstd frame does not end)");
  return out;
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

Result<ArchiveInfo> verify_archive_bytes(std::string_view compressed, const std::string& trusted_key) {
  auto text = decompress(compressed);
  if (!text) return text.error();
  auto bad = [](size_t line, const std::string& why) {
    return make_error("invalid_archive", "archive line " + std::to_string(line) + ": " + why);
  };
  size_t pos = 0, line_no = 0;
  auto next_line = [&](std::string_view& line) {
    if (pos >= text->size()) return false;
    size_t end = text->find('\n', pos);
    if (end == std::string::npos) end = text->size();
    line = std::string_view(*text).substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    return true;
  };
  std::string_view line;
  if (!next_line(line)) return bad(1, "the archive is empty");
  auto header = nlohmann::json::parse(line, nullptr, false);
  if (header.is_discarded() || !header.is_object() || header.value("format", "") != kFormat)
    return bad(1, std::string("not a header of format '") + kFormat + "'");
  if (header.value("version", 0) != kVersion) return bad(1, "unsupported archive version");
  ArchiveInfo info;
  if (!header["first_index"].is_number_unsigned() || !header["end_index"].is_number_unsigned())
    return bad(1, "first_index and end_index must be non-negative integers");
  info.first_index = header["first_index"];
  info.end_index = header["end_index"];
  if (info.end_index < info.first_index) return bad(1, "end_index is before first_index");
  auto edge = hashes_from_json(header["prefix_edge"], "prefix_edge");
  if (!edge) return bad(1, edge.error().message);
  auto range = CompactRange::from_edge(info.first_index, *edge);
  if (!range) return bad(1, range.error().message);
  if (!header["sth"].is_object()) return bad(1, "sth is missing");
  auto sth = sth_from_json(header["sth"].dump());
  if (!sth) return bad(1, sth.error().message);
  info.sth = *sth;
  info.public_key_pem = header.value("public_key_pem", "");
  std::string key = trusted_key.empty() ? info.public_key_pem : trusted_key;
  if (!trusted_key.empty() && !info.public_key_pem.empty() && info.public_key_pem != trusted_key)
    return bad(1, "the archive was signed with a different key than the trusted one");

  uint64_t expected = info.first_index;
  bool ended = false;
  while (next_line(line)) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return bad(line_no, "not a JSON object");
    if (j.contains("end")) {
      if (!j["entries"].is_number_unsigned() || j["entries"].get<uint64_t>() != info.end_index - info.first_index)
        return bad(line_no, "the trailer's entry count does not match the header");
      ended = true;
      break;
    }
    if (!j["index"].is_number_unsigned() || !j["leaf"].is_string()) return bad(line_no, "an entry needs index and leaf");
    uint64_t index = j["index"];
    if (index != expected) return bad(line_no, "entry " + std::to_string(expected) + " is missing (found " + std::to_string(index) + ")");
    if (index >= info.end_index) return bad(line_no, "entry " + std::to_string(index) + " is beyond end_index");
    const std::string& leaf = j["leaf"].get_ref<const std::string&>();
    if (seq_of_leaf(leaf) != static_cast<int64_t>(index)) return bad(line_no, "entry " + std::to_string(index) + " holds another entry's data");
    range->append(leaf_hash(leaf));
    ++expected;
  }
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

Result<ArchiveInfo> verify_archive_file(const std::string& path, const std::string& trusted_key) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("archive_unreadable", "cannot read archive '" + path + "'");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return verify_archive_bytes(bytes, trusted_key);
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
  auto info = verify_archive_file(path, public_key_pem());
  if (!info) return info.error();
  auto last = impl_->store.query("SELECT first_index, before_index FROM audit_purges ORDER BY before_index DESC LIMIT 1");
  if (!last) return last.error();
  if (last->empty() || static_cast<uint64_t>(last->front().integer(1)) != info->end_index ||
      static_cast<uint64_t>(last->front().integer(0)) != info->first_index)
    return make_error("invalid_archive", "only the archive of the most recent purge can be imported (entries " +
                                             (last->empty() ? std::string("none") : last->front().text(0) + ".." +
                                                                                        std::to_string(last->front().integer(1) - 1)) +
                                             ")");
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto text = decompress(bytes);
  if (!text) return text.error();
  store::Params rows;
  size_t pos = text->find('\n') + 1;  // after the header
  while (pos < text->size()) {
    size_t end = text->find('\n', pos);
    auto j = nlohmann::json::parse(text->substr(pos, end - pos), nullptr, false);
    pos = end == std::string::npos ? text->size() : end + 1;
    if (!j.is_object() || j.contains("end")) continue;
    std::string leaf = j["leaf"];
    auto e = event_from_leaf(leaf);
    if (!e) return e.error();
    rows.insert(rows.end(), {j["index"].get<int64_t>(), e->time, e->type, e->actor, e->subject, e->outcome, e->source_ip,
                             leaf, to_hex(leaf_hash(leaf))});
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
