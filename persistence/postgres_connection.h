#pragma once
// SqlConnection over libpqxx 6.4: prepared statements cached per connection, one reconnect
// when the server dropped the session between statements.
#include <memory>
#include <string>

#include "persistence/sql.h"

namespace tollgate::persistence {

class PostgresConnection final : public SqlConnection {
 public:
  // `url`: postgres[ql]://user:password@host:port/dbname[?…]. Connects now; throws StoreError
  // whose message never contains the URL or the password.
  explicit PostgresConnection(const std::string& url);
  ~PostgresConnection() override;
  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  std::vector<SqlRow> query(std::string_view sql, const std::vector<SqlValue>& params) override;
  std::int64_t execute(std::string_view sql, const std::vector<SqlValue>& params) override;
  void execute_script(std::string_view sql) override;
  void begin() override;
  void commit() override;
  void rollback() noexcept override;
  std::string backend() const override { return "postgresql"; }

  // The server process id of the current session (diagnostics and tests).
  int backend_pid() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace tollgate::persistence
