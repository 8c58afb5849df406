#include "persistence/sqlite_connection.h"

#include <sqlite3.h>

#include "persistence/errors.h"
#include "persistence/sqlite_placeholders.h"

namespace tollgate::persistence {
namespace {

// Enough for every distinct statement the Store issues (multi-row inserts vary by row count);
// beyond it the cache starts over rather than growing without bound.
constexpr std::size_t kStatementCacheLimit = 256;
constexpr int kBusyTimeoutMs = 5000;

// Resets a cached statement after use so it holds no lock and no dangling parameter pointers.
struct StatementReset {
  sqlite3_stmt* statement;
  ~StatementReset() {
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
  }
};

SqlValue column_value(sqlite3_stmt* statement, int i) {
  switch (sqlite3_column_type(statement, i)) {
    case SQLITE_INTEGER: return SqlValue(static_cast<std::int64_t>(sqlite3_column_int64(statement, i)));
    case SQLITE_FLOAT: return SqlValue(sqlite3_column_double(statement, i));
    case SQLITE_NULL: return SqlValue(std::monostate{});
    default: {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, i));
      const int size = sqlite3_column_bytes(statement, i);
      return SqlValue(std::string(text ? text : "", static_cast<std::size_t>(size)));
    }
  }
}

}  // namespace

SqliteConnection::SqliteConnection(const std::string& path) {
  const int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError("cannot open SQLite database: " + message);
  }
  sqlite3_extended_result_codes(db_, 1);
  // The busy timeout first: switching to WAL itself may wait for another connection.
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  try {
    exec_plain("PRAGMA journal_mode=WAL");
    // WAL + NORMAL: a commit survives a process crash; only an OS crash may lose the last ones.
    exec_plain("PRAGMA synchronous=NORMAL");
    exec_plain("PRAGMA foreign_keys=ON");
    // Statement journals (a multi-row INSERT inside a transaction has one) stay in memory
    // instead of a file created and unlinked in /var/tmp for every statement.
    exec_plain("PRAGMA temp_store=MEMORY");
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

SqliteConnection::~SqliteConnection() {
  clear_cache();
  if (in_transaction_) rollback();
  sqlite3_close(db_);
}

void SqliteConnection::remember_last(const std::string& sql, sqlite3_stmt* statement) {
  last_sql_ = sql;
  last_statement_ = statement;
}

void SqliteConnection::clear_cache() noexcept {
  for (auto& [sql, statement] : cache_) sqlite3_finalize(statement);
  cache_.clear();
  last_statement_ = nullptr;
  last_sql_.clear();
}

void SqliteConnection::fail(const char* context) {
  const int code = sqlite3_extended_errcode(db_);
  const std::string message = std::string(context) + ": " + sqlite3_errmsg(db_);
  if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) {
    throw DuplicateError(message);
  }
  if (code == SQLITE_CONSTRAINT_FOREIGNKEY) {
    throw ConflictError(message);
  }
  throw StoreError(message);
}

void SqliteConnection::exec_plain(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail("sqlite");
}

sqlite3_stmt* SqliteConnection::prepared(std::string_view sql) {
  // The spend writer runs one statement thousands of times in a row: compare, don't hash.
  if (last_statement_ != nullptr && last_sql_ == sql) return last_statement_;
  const std::string key(sql);
  if (const auto it = cache_.find(key); it != cache_.end()) {
    remember_last(it->first, it->second);
    return it->second;
  }
  if (cache_.size() >= kStatementCacheLimit) clear_cache();
  sqlite3_stmt* statement = nullptr;
  const std::string numbered = sqlite_numbered_placeholders(key);
  if (sqlite3_prepare_v2(db_, numbered.c_str(), static_cast<int>(numbered.size()), &statement, nullptr) != SQLITE_OK) {
    fail("sqlite prepare");
  }
  const auto inserted = cache_.emplace(key, statement).first;
  remember_last(inserted->first, statement);
  return statement;
}

void SqliteConnection::bind(sqlite3_stmt* statement, const std::vector<SqlValue>& params) {
  // `?N` placeholders (sqlite_placeholders.h): parameter index N takes params[N-1].
  const int count = sqlite3_bind_parameter_count(statement);
  if (static_cast<std::size_t>(count) > params.size()) {
    throw StoreError("statement parameter " + std::to_string(params.size() + 1) + " has no value");
  }
  for (int index = 1; index <= count; ++index) {
    const SqlValue& value = params[static_cast<std::size_t>(index - 1)];
    int rc = SQLITE_OK;
    if (const auto* i = std::get_if<std::int64_t>(&value)) {
      rc = sqlite3_bind_int64(statement, index, *i);
    } else if (const auto* d = std::get_if<double>(&value)) {
      rc = sqlite3_bind_double(statement, index, *d);
    } else if (const auto* s = std::get_if<std::string>(&value)) {
      // SQLITE_STATIC: params outlive the statement's use; bindings are cleared right after.
      rc = sqlite3_bind_text64(statement, index, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
    } else {
      rc = sqlite3_bind_null(statement, index);
    }
    if (rc != SQLITE_OK) fail("sqlite bind");
  }
}

void SqliteConnection::run(std::string_view sql, const std::vector<SqlValue>& params, std::vector<SqlRow>* rows) {
  sqlite3_stmt* statement = prepared(sql);
  StatementReset reset{statement};
  bind(statement, params);
  const int columns = sqlite3_column_count(statement);
  for (;;) {
    const int rc = sqlite3_step(statement);
    if (rc == SQLITE_DONE) return;
    if (rc != SQLITE_ROW) fail("sqlite");
    if (rows == nullptr) continue;
    SqlRow row;
    row.values.reserve(static_cast<std::size_t>(columns));
    for (int i = 0; i < columns; ++i) row.values.push_back(column_value(statement, i));
    rows->push_back(std::move(row));
  }
}

std::vector<SqlRow> SqliteConnection::query(std::string_view sql, const std::vector<SqlValue>& params) {
  std::vector<SqlRow> rows;
  run(sql, params, &rows);
  return rows;
}

std::int64_t SqliteConnection::execute(std::string_view sql, const std::vector<SqlValue>& params) {
  run(sql, params, nullptr);
  return static_cast<std::int64_t>(sqlite3_changes64(db_));
}

void SqliteConnection::execute_script(std::string_view sql) {
  const std::string text(sql);
  char* error = nullptr;
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    const int code = sqlite3_extended_errcode(db_);
    if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) {
      throw DuplicateError("sqlite: " + message);
    }
    throw StoreError("sqlite: " + message);
  }
}

void SqliteConnection::begin() {
  if (in_transaction_) throw StoreError("a transaction is already open");
  exec_plain("BEGIN IMMEDIATE");
  in_transaction_ = true;
}

void SqliteConnection::commit() {
  if (!in_transaction_) throw StoreError("no transaction to commit");
  in_transaction_ = false;
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    const std::string message = std::string("sqlite commit: ") + sqlite3_errmsg(db_);
    // A failed COMMIT (e.g. SQLITE_BUSY) leaves the transaction open: end it here.
    if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw StoreError(message);
  }
}

void SqliteConnection::rollback() noexcept {
  in_transaction_ = false;
  // SQLite may already have rolled back by itself (e.g. on SQLITE_FULL).
  if (db_ != nullptr && sqlite3_get_autocommit(db_) == 0) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

}  // namespace tollgate::persistence
