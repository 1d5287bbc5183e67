#include <libpq-fe.h>

#include "store/connection.h"

namespace wardline::store {
namespace {

// Rewrites portable `?` placeholders as PostgreSQL's $1, $2, ... (outside quotes).
std::string to_postgres_placeholders(std::string_view sql) {
  std::string out;
  int n = 0;
  bool quoted = false;
  for (char c : sql) {
    if (c == '\'') quoted = !quoted;
    if (c == '?' && !quoted) out += "$" + std::to_string(++n);
    else out.push_back(c);
  }
  return out;
}

std::string first_line(const char* msg) {
  std::string s = msg ? msg : "unknown error";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

class PostgresConnection : public Connection {
 public:
  explicit PostgresConnection(PGconn* conn) : conn_(conn) {}
  ~PostgresConnection() override { PQfinish(conn_); }

  Result<int64_t> execute(std::string_view sql, const Params& params) override {
    auto res = run(sql, params);
    if (!res) return res.error();
    const char* n = PQcmdTuples(res->get());
    return static_cast<int64_t>(n && *n ? std::stoll(n) : 0);
  }

  Result<Rows> query(std::string_view sql, const Params& params) override {
    auto res = run(sql, params);
    if (!res) return res.error();
    PGresult* r = res->get();
    Rows rows;
    int nrows = PQntuples(r), ncols = PQnfields(r);
    rows.reserve(static_cast<size_t>(nrows));
    for (int i = 0; i < nrows; ++i) {
      Row row;
      for (int j = 0; j < ncols; ++j) {
        if (PQgetisnull(r, i, j)) row.cols.emplace_back(std::nullopt);
        else row.cols.emplace_back(std::string(PQgetvalue(r, i, j), static_cast<size_t>(PQgetlength(r, i, j))));
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  Status execute_script(std::string_view sql) override {
    std::string text(sql);
    PgResult guard(PQexec(conn_, text.c_str()), PQclear);
    return check(guard.get());
  }

  Status ping() override { return execute_script("SELECT 1"); }
  bool broken() const override { return PQstatus(conn_) != CONNECTION_OK; }

 private:
  using PgResult = std::unique_ptr<PGresult, decltype(&PQclear)>;

  Status check(PGresult* r) {
    auto st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) return {};
    std::string msg = first_line(r ? PQresultErrorMessage(r) : PQerrorMessage(conn_));
    if (broken()) return make_error("store_unavailable", "PostgreSQL connection lost: " + msg);
    return make_error("store_error", "PostgreSQL: " + msg);
  }

  Result<PgResult> run(std::string_view sql, const Params& params) {
    std::string text = to_postgres_placeholders(sql);
    std::vector<std::string> storage(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      if (auto* n = std::get_if<int64_t>(&params[i])) storage[i] = std::to_string(*n);
      else if (auto* s = std::get_if<std::string>(&params[i])) storage[i] = *s;
      else continue;
      values[i] = storage[i].c_str();
    }
    PgResult r(PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()), nullptr,
                          values.data(), nullptr, nullptr, 0),
             PQclear);
    if (Status s = check(r.get()); !s) return s.error();
    return r;
  }

  PGconn* conn_;
};

}  // namespace

Result<std::unique_ptr<Connection>> open_postgres_connection(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = first_line(PQerrorMessage(conn));
    PQfinish(conn);
    return make_error("store_unavailable", "cannot connect to PostgreSQL: " + msg +
                                               "; check that the server is running and the 'store' URL is right");
  }
  auto c = std::make_unique<PostgresConnection>(conn);
  // A peer that stalls while holding a lock (the audit head row, say) must
  // produce an error here, not block every request of every daemon.
  if (Status s = c->execute_script("SET lock_timeout = '10s'; SET statement_timeout = '120s'; "
                                   "SET idle_in_transaction_session_timeout = '120s'");
      !s)
    return s.error();
  return std::unique_ptr<Connection>(std::move(c));
}

}  // namespace wardline::store
