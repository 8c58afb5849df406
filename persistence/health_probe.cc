#include "persistence/health_probe.h"

#include <hiredis/hiredis.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <sys/statvfs.h>

#include <memory>
#include <optional>

#include "persistence/redis_connection.h"
#include "persistence/redis_url.h"

namespace tollgate::persistence {
namespace {

using Clock = std::chrono::steady_clock;

double elapsed_ms(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string first_line(const char* text) {
  std::string s = text ? text : "";
  if (const auto nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
  return s;
}

}  // namespace

ProbeResult probe_postgres(const std::string& url, std::chrono::milliseconds timeout) {
  ProbeResult result;
  const auto start = Clock::now();
  const std::string seconds = std::to_string(std::max<long long>(1, timeout.count() / 1000));
  const char* keys[] = {"dbname", "connect_timeout", nullptr};
  const char* values[] = {url.c_str(), seconds.c_str(), nullptr};
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdbParams(keys, values, 1), &PQfinish);
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    result.error = "cannot connect: " + first_line(conn ? PQerrorMessage(conn.get()) : "out of memory");
    result.latency_ms = elapsed_ms(start);
    return result;
  }
  std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn.get(), "SELECT 1"), &PQclear);
  if (!res || PQresultStatus(res.get()) != PGRES_TUPLES_OK) {
    result.error = "query failed: " + first_line(PQerrorMessage(conn.get()));
  } else {
    result.ok = true;
  }
  result.latency_ms = elapsed_ms(start);
  return result;
}

ProbeResult probe_redis(const std::string& url, std::chrono::milliseconds timeout) {
  ProbeResult result;
  const auto start = Clock::now();
  const auto address = parse_redis_url(url);
  if (!address) {
    result.error = "invalid redis URL (expected redis://host:port)";
    return result;
  }
  auto context = connect_redis(*address, timeout);
  if (!context) {
    result.error = context.error().message;
    result.latency_ms = elapsed_ms(start);
    return result;
  }
  auto reply = redis_command(**context, {"PING"});
  if (reply && (*reply)->type == REDIS_REPLY_STATUS) {
    result.ok = true;
  } else {
    result.error = "PING failed: " + (reply ? std::string("unexpected reply") : reply.error().message);
  }
  result.latency_ms = elapsed_ms(start);
  return result;
}

namespace {

// Below this much free space where the SQLite file lives its next writes (pages, WAL) fail with
// SQLITE_FULL: the store is not ready, though reads still answer.
constexpr unsigned long long kSqliteMinFreeBytes = 1024 * 1024;

// Free bytes (for an unprivileged writer) on the file system holding `path`; nullopt when unknown.
std::optional<unsigned long long> free_bytes_at(const std::string& path) {
  struct statvfs fs {};
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  if (::statvfs(dir.c_str(), &fs) != 0) return std::nullopt;
  return static_cast<unsigned long long>(fs.f_bavail) * fs.f_frsize;
}

}  // namespace

ProbeResult probe_sqlite(const std::string& path) {
  ProbeResult result;
  const auto start = Clock::now();
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
  if (rc != SQLITE_OK) {
    result.error = std::string("cannot open: ") + (raw ? sqlite3_errmsg(raw) : "out of memory");
  } else if (sqlite3_exec(raw, "SELECT 1", nullptr, nullptr, nullptr) != SQLITE_OK) {
    result.error = std::string("query failed: ") + sqlite3_errmsg(raw);
  } else if (const auto free = free_bytes_at(path); free && *free < kSqliteMinFreeBytes) {
    result.error = "disk full: " + std::to_string(*free) +
                   " bytes free where the database file is (writes need at least " +
                   std::to_string(kSqliteMinFreeBytes) + ")";
  } else {
    result.ok = true;
  }
  result.latency_ms = elapsed_ms(start);
  return result;
}

}  // namespace tollgate::persistence
