#pragma once
// SqlConnection over the sqlite3 C API: the embedded default store (one file, WAL mode).
#include <string>
#include <unordered_map>

#include "persistence/sql.h"

struct sqlite3;
struct sqlite3_stmt;

namespace tollgate::persistence {

class SqliteConnection final : public SqlConnection {
 public:
  // Opens (creating when missing) the database file; throws StoreError.
  explicit SqliteConnection(const std::string& path);
  ~SqliteConnection() override;
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  std::vector<SqlRow> query(std::string_view sql, const std::vector<SqlValue>& params) override;
  std::int64_t execute(std::string_view sql, const std::vector<SqlValue>& params) override;
  void execute_script(std::string_view sql) override;
  void begin() override;
  void commit() override;
  void rollback() noexcept override;
  std::string backend() const override { return "sqlite"; }

 private:
  sqlite3_stmt* prepared(std::string_view sql);
  void bind(sqlite3_stmt* statement, const std::vector<SqlValue>& params);
  // Runs the statement to completion, collecting rows when `rows` is not null.
  void run(std::string_view sql, const std::vector<SqlValue>& params, std::vector<SqlRow>* rows);
  void exec_plain(const char* sql);
  [[noreturn]] void fail(const char* context);
  void clear_cache() noexcept;
  void remember_last(const std::string& sql, sqlite3_stmt* statement);

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
  std::string last_sql_;  // the statement used last (a copy, independent of the cache)
  sqlite3_stmt* last_statement_ = nullptr;
  bool in_transaction_ = false;
};

}  // namespace tollgate::persistence
