#include "persistence/postgres_connection.h"

#include <pqxx/pqxx>

#include <unordered_map>

#include "persistence/connection_text.h"
#include "persistence/errors.h"

namespace tollgate::persistence {
namespace {

constexpr int kConnectTimeoutSeconds = 5;
// Distinct statements per connection before the cache is dropped (multi-row inserts vary by
// row count, so the set is bounded but not tiny).
constexpr std::size_t kStatementCacheLimit = 256;

// Type OIDs from pg_type.h, to hand back integers and reals rather than text.
constexpr pqxx::oid kBool = 16, kInt8 = 20, kInt2 = 21, kInt4 = 23, kOid = 26;
constexpr pqxx::oid kFloat4 = 700, kFloat8 = 701, kNumeric = 1700;

// Notices ("relation already exists, skipping") would go to stderr by default; the store
// reports what matters through its return values and exceptions instead.
class QuietNotices final : public pqxx::errorhandler {
 public:
  using pqxx::errorhandler::errorhandler;
  bool operator()(const char*) noexcept override { return false; }
};

SqlValue field_value(const pqxx::field& field, pqxx::oid type) {
  if (field.is_null()) return SqlValue(std::monostate{});
  switch (type) {
    case kBool: return SqlValue(std::int64_t{field.c_str()[0] == 't' ? 1 : 0});
    case kInt8:
    case kInt2:
    case kInt4:
    case kOid: return SqlValue(field.as<std::int64_t>());
    case kFloat4:
    case kFloat8:
    case kNumeric: return SqlValue(field.as<double>());
    default: return SqlValue(std::string(field.c_str(), field.size()));
  }
}

std::vector<SqlRow> to_rows(const pqxx::result& result) {
  std::vector<pqxx::oid> types;
  const auto columns = result.columns();
  for (pqxx::row::size_type c = 0; c < columns; ++c) types.push_back(result.column_type(c));
  std::vector<SqlRow> rows;
  rows.reserve(result.size());
  for (const auto& r : result) {
    SqlRow row;
    row.values.reserve(columns);
    for (pqxx::row::size_type c = 0; c < columns; ++c) row.values.push_back(field_value(r[c], types[c]));
    rows.push_back(std::move(row));
  }
  return rows;
}

// Parameters travel as text (NULL as a null pointer); the server infers each type from the
// statement, so money keeps full precision through real_to_text.
struct TextParams {
  std::vector<std::string> storage;
  std::vector<const char*> pointers;

  explicit TextParams(const std::vector<SqlValue>& params) {
    storage.resize(params.size());
    pointers.resize(params.size(), nullptr);
    for (std::size_t i = 0; i < params.size(); ++i) {
      const SqlValue& value = params[i];
      if (const auto* n = std::get_if<std::int64_t>(&value)) {
        storage[i] = std::to_string(*n);
      } else if (const auto* d = std::get_if<double>(&value)) {
        storage[i] = real_to_text(*d);
      } else if (const auto* s = std::get_if<std::string>(&value)) {
        storage[i] = *s;
      } else {
        continue;  // NULL
      }
      pointers[i] = storage[i].c_str();
    }
  }
};

}  // namespace

struct PostgresConnection::State {
  std::string url;
  std::string password;
  std::unique_ptr<pqxx::connection> connection;
  std::unique_ptr<QuietNotices> notices;  // destroyed before `connection` (declared after it)
  std::unique_ptr<pqxx::work> work;
  std::unordered_map<std::string, std::string> statements;  // SQL text -> prepared name
  std::uint64_t next_statement = 0;

  std::string scrub(const char* message) const { return scrub_message(message, url, password); }

  void connect() {
    work.reset();
    notices.reset();
    connection.reset();
    statements.clear();
    try {
      connection = std::make_unique<pqxx::connection>(with_connect_timeout(url, kConnectTimeoutSeconds));
    } catch (const std::exception& e) {
      throw StoreError("cannot connect to PostgreSQL: " + scrub(e.what()));
    }
    notices = std::make_unique<QuietNotices>(*connection);
  }

  void drop_statement_cache() {
    for (const auto& [sql, name] : statements) {
      try {
        connection->unprepare(name);
      } catch (const std::exception&) {
        // The session may be gone; a new one starts with no statements anyway.
      }
    }
    statements.clear();
  }

  // Only between transactions: a statement cannot be dropped from under an open one.
  void trim_statement_cache() {
    if (!work && connection && statements.size() >= kStatementCacheLimit) drop_statement_cache();
  }

  const std::string& statement_name(std::string_view sql) {
    const std::string key(sql);
    if (const auto it = statements.find(key); it != statements.end()) return it->second;
    trim_statement_cache();
    std::string name = "tg" + std::to_string(++next_statement);
    connection->prepare(name, key);  // sent to the server on first execution
    return statements.emplace(key, std::move(name)).first->second;
  }

  pqxx::result run_in(pqxx::transaction_base& tx, std::string_view sql, const std::vector<SqlValue>& params) {
    const TextParams text(params);
    return tx.exec_prepared(statement_name(sql), pqxx::prepare::make_dynamic_params(text.pointers));
  }

  pqxx::result run_autocommit(std::string_view sql, const std::vector<SqlValue>& params) {
    pqxx::nontransaction tx(*connection);
    auto result = run_in(tx, sql, params);
    tx.commit();
    return result;
  }

  // Outside a transaction a statement whose session died before it ran is retried once on a
  // fresh connection; inside one the whole transaction is lost, so the error goes up.
  // A failed reconnect leaves no connection; the next call tries again, so an outage ends
  // by itself once the server is back.
  template <typename F>
  auto with_reconnect(F&& attempt) -> decltype(attempt()) {
    if (work) return attempt();
    if (!connection) connect();
    try {
      return attempt();
    } catch (const pqxx::failure&) {
      if (connection && connection->is_open()) throw;
    }
    connect();
    return attempt();
  }

  pqxx::result run(std::string_view sql, const std::vector<SqlValue>& params) {
    if (work) return run_in(*work, sql, params);
    return with_reconnect([&] { return run_autocommit(sql, params); });
  }
};

namespace {

// One error mapping for every public method; messages are scrubbed of credentials.
template <typename F>
auto translated(const std::string& url, const std::string& password, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const StoreError&) {
    throw;
  } catch (const pqxx::sql_error& e) {
    const std::string message = "postgresql: " + scrub_message(e.what(), url, password);
    if (e.sqlstate() == "23505") throw DuplicateError(message);
    if (e.sqlstate() == "23503") throw ConflictError(message);
    throw StoreError(message);
  } catch (const pqxx::broken_connection& e) {
    throw StoreError("postgresql connection lost: " + scrub_message(e.what(), url, password));
  } catch (const std::exception& e) {
    throw StoreError("postgresql: " + scrub_message(e.what(), url, password));
  }
}

}  // namespace

PostgresConnection::PostgresConnection(const std::string& url) : state_(std::make_unique<State>()) {
  state_->url = url;
  state_->password = url_password(url);
  state_->connect();
}

PostgresConnection::~PostgresConnection() {
  if (state_->work) rollback();
}

std::vector<SqlRow> PostgresConnection::query(std::string_view sql, const std::vector<SqlValue>& params) {
  return translated(state_->url, state_->password, [&] { return to_rows(state_->run(sql, params)); });
}

std::int64_t PostgresConnection::execute(std::string_view sql, const std::vector<SqlValue>& params) {
  return translated(state_->url, state_->password,
                    [&] { return static_cast<std::int64_t>(state_->run(sql, params).affected_rows()); });
}

void PostgresConnection::execute_script(std::string_view sql) {
  translated(state_->url, state_->password, [&] {
    const std::string text(sql);
    if (state_->work) {
      state_->work->exec(text);
      return;
    }
    state_->with_reconnect([&] {
      pqxx::nontransaction tx(*state_->connection);
      tx.exec(text);
      tx.commit();
    });
  });
}

void PostgresConnection::begin() {
  translated(state_->url, state_->password, [&] {
    if (state_->work) throw StoreError("a transaction is already open");
    state_->with_reconnect([&] { state_->work = std::make_unique<pqxx::work>(*state_->connection); });
  });
}

void PostgresConnection::commit() {
  translated(state_->url, state_->password, [&] {
    if (!state_->work) throw StoreError("no transaction to commit");
    // Release the transaction object whether or not COMMIT succeeds: it cannot be reused.
    const auto work = std::move(state_->work);
    work->commit();
    state_->trim_statement_cache();
  });
}

void PostgresConnection::rollback() noexcept {
  if (!state_->work) return;
  try {
    state_->work->abort();
  } catch (...) {
    // The session may be gone, which rolls back as well.
  }
  state_->work.reset();
  try {
    state_->trim_statement_cache();
  } catch (...) {
    // Best effort: the cache is trimmed again after the next transaction.
  }
}

int PostgresConnection::backend_pid() const { return state_->connection ? state_->connection->backendpid() : 0; }

}  // namespace tollgate::persistence
