// Store: spend logs and per-entity spend.
#include <algorithm>
#include <map>

#include "persistence/daily_spend.h"
#include "persistence/record_rows.h"
#include "persistence/response_owners.h"
#include "persistence/sql_builder.h"
#include "persistence/store.h"
#include "persistence/store_support.h"
#include "persistence/transaction.h"

namespace tollgate::persistence {
namespace {

using detail::AuditFacts;
using detail::entity_table;
using detail::write_audit;

// Rows per INSERT. PostgreSQL pays a round trip per statement: 200 rows × 19 columns stays far
// below its parameter limit while turning a 1,000-request flush into 5 statements. SQLite runs
// in-process: one cached single-row statement executed per row beats parsing (and hashing, for
// the statement cache) a new 40 KB, 3,800-parameter statement on every flush.
constexpr std::size_t kLogsPerStatementPostgres = 200;
// Rows decoded from the batch's source at a time: one PostgreSQL statement's worth.
constexpr std::size_t kLogsPerChunk = kLogsPerStatementPostgres;

// Rows in the next INSERT when `left` rows remain. On PostgreSQL a remainder goes out as
// statements of power-of-two sizes: every size is a statement text the connection prepares
// and keeps (persistence/postgres_connection.cc), and one per remainder size (1–199) filled
// its cache with up to ~2 MB of 20 KB texts, and the server with their plans.
std::size_t rows_per_statement(const SqlConnection& c, std::size_t left) {
  if (c.backend() == "sqlite") return 1;
  if (left >= kLogsPerStatementPostgres) return kLogsPerStatementPostgres;
  std::size_t rows = 1;
  while (rows * 2 <= left) rows *= 2;
  return rows;
}

std::string build_insert_logs_sql(std::size_t rows) {
  const std::size_t columns = spend_log_column_count();
  std::string sql = "INSERT INTO spend_logs (" + spend_log_columns() + ") VALUES ";
  std::size_t n = 0;
  for (std::size_t row = 0; row < rows; ++row) {
    sql += row == 0 ? "(" : ", (";
    for (std::size_t column = 0; column < columns; ++column) {
      sql += (column == 0 ? "$" : ", $") + std::to_string(++n);
    }
    sql += ")";
  }
  sql += " ON CONFLICT (request_id) DO NOTHING";
  return sql;
}

// Inserts logs[begin, end) in one statement; returns the rows actually inserted. The statement
// texts of the two sizes every flush uses are built once.
std::int64_t insert_log_chunk(SqlConnection& c, const std::vector<SpendLogRow>& logs, std::size_t begin,
                              std::size_t end) {
  const std::size_t rows = end - begin;
  std::vector<SqlValue> params;
  params.reserve(rows * spend_log_column_count());
  for (std::size_t i = begin; i < end; ++i) append_spend_log_params(logs[i], params);
  if (rows == 1) {
    static const std::string single = build_insert_logs_sql(1);
    return c.execute(single, params);
  }
  if (rows == kLogsPerStatementPostgres) {
    static const std::string full = build_insert_logs_sql(kLogsPerStatementPostgres);
    return c.execute(full, params);
  }
  return c.execute(build_insert_logs_sql(rows), params);
}

// Sums increments per entity. std::map orders them, so every flush updates rows in the same
// order and two concurrent flushes cannot deadlock on each other's row locks.
std::map<std::pair<EntityKind, std::string>, double> coalesce(const std::vector<SpendIncrement>& increments) {
  std::map<std::pair<EntityKind, std::string>, double> totals;
  for (const auto& increment : increments) totals[{increment.kind, increment.id}] += increment.amount;
  return totals;
}

std::optional<double> select_spend(SqlConnection& c, EntityKind kind, const std::string& id) {
  const auto table = entity_table(kind);
  const auto rows =
      c.query(std::string("SELECT spend FROM ") + table.table + " WHERE " + table.key_column + " = $1", {SqlValue(id)});
  if (rows.empty()) return std::nullopt;
  return rows.front().real(0);
}

std::string spend_json(double spend) { return "{\"spend\":" + real_to_text(spend) + "}"; }

// The logs and increments of record_spend, inside the caller's transaction; returns the
// statements executed. The logs are decoded a statement's worth at a time (kLogsPerChunk), so
// a batch of thousands never exists as rows all at once.
std::size_t write_logs_and_increments(SqlConnection& c, SpendLogSource& logs,
                                      const std::vector<SpendIncrement>& increments) {
  std::size_t statements = 0;
  std::int64_t inserted = 0;
  bool any_logs = false;
  std::vector<SpendLogRow> chunk;
  detail::DailyRollups rollups;
  while (logs.next(kLogsPerChunk, chunk)) {
    any_logs = true;
    for (std::size_t begin = 0; begin < chunk.size();) {
      const std::size_t end = begin + rows_per_statement(c, chunk.size() - begin);
      inserted += insert_log_chunk(c, chunk, begin, end);
      ++statements;
      begin = end;
    }
    statements += detail::insert_response_owners(c, chunk);
    rollups.add(chunk);
  }
  const bool already_recorded = any_logs && inserted == 0;
  if (already_recorded) return statements;
  statements += detail::add_daily_spend(c, rollups.rows());
  for (const auto& [entity, amount] : coalesce(increments)) {
    if (amount == 0) continue;
    if (entity.first == EntityKind::end_user) {
      // An end user is named by requests, not created first: its first spend makes its row.
      c.execute(
          "INSERT INTO end_users (user_id, spend, created_at, updated_at) VALUES ($2, $1, $3, $3) "
          "ON CONFLICT (user_id) DO UPDATE SET spend = end_users.spend + excluded.spend",
          {SqlValue(amount), SqlValue(entity.second), SqlValue(detail::now_ms())});
      ++statements;
      continue;
    }
    const auto table = entity_table(entity.first);
    c.execute(std::string("UPDATE ") + table.table + " SET spend = spend + $1 WHERE " + table.key_column + " = $2",
              {SqlValue(amount), SqlValue(entity.second)});
    ++statements;
  }
  return statements;
}

void apply_reset(SqlConnection& c, const SpendReset& reset) {
  const auto table = entity_table(reset.kind);
  const std::string prefix = std::string("UPDATE ") + table.table + " SET spend = 0";
  const std::string suffix = std::string(" WHERE ") + table.key_column + " = $1";
  if (reset.next_reset_at) {
    c.execute(prefix + ", budget_reset_at = $2" + suffix, {SqlValue(reset.id), SqlValue(*reset.next_reset_at)});
  } else {
    c.execute(prefix + suffix, {SqlValue(reset.id)});
  }
}

std::int64_t select_journal_seq(SqlConnection& c, const std::string& journal_id) {
  const auto rows =
      c.query("SELECT committed_seq FROM spend_journal_commits WHERE journal_id = $1", {SqlValue(journal_id)});
  return rows.empty() ? 0 : rows.front().int64(0);
}

}  // namespace

std::size_t Store::record_spend(const std::vector<SpendLogRow>& logs, const std::vector<SpendIncrement>& increments) {
  if (logs.empty() && increments.empty()) return 0;
  std::scoped_lock lock(mutex_);
  Transaction tx(*connection_);
  SpendLogList source(logs);
  const std::size_t statements = write_logs_and_increments(*connection_, source, increments);
  tx.commit();
  return statements;
}

Store::SpendCommit Store::commit_spend_batch(const std::vector<SpendLogRow>& logs,
                                             const std::vector<SpendIncrement>& increments,
                                             const std::vector<SpendReset>& resets,
                                             const std::optional<JournalMark>& mark) {
  if (logs.empty() && increments.empty() && resets.empty()) return {};
  SpendLogList source(logs);
  return commit_spend_batch(source, increments, resets, mark);
}

Store::SpendCommit Store::commit_spend_batch(SpendLogSource& logs, const std::vector<SpendIncrement>& increments,
                                             const std::vector<SpendReset>& resets,
                                             const std::optional<JournalMark>& mark) {
  SpendCommit result;
  std::scoped_lock lock(mutex_);
  Transaction tx(*connection_);
  if (mark && select_journal_seq(*connection_, mark->journal_id) >= mark->seq) return result;
  result.statements = write_logs_and_increments(*connection_, logs, increments);
  for (const auto& reset : resets) apply_reset(*connection_, reset);
  result.statements += resets.size();
  if (mark) {
    connection_->execute(
        "INSERT INTO spend_journal_commits (journal_id, committed_seq, updated_at) VALUES ($1, $2, $3) "
        "ON CONFLICT (journal_id) DO UPDATE SET committed_seq = excluded.committed_seq, "
        "updated_at = excluded.updated_at",
        {SqlValue(mark->journal_id), SqlValue(mark->seq), SqlValue(detail::now_ms())});
    ++result.statements;
  }
  tx.commit();
  result.written = true;
  return result;
}

std::int64_t Store::journal_committed_seq(const std::string& journal_id) {
  std::scoped_lock lock(mutex_);
  return select_journal_seq(*connection_, journal_id);
}

void Store::forget_journal(const std::string& journal_id) {
  std::scoped_lock lock(mutex_);
  connection_->execute("DELETE FROM spend_journal_commits WHERE journal_id = $1", {SqlValue(journal_id)});
}

std::vector<SpendLogRow> Store::spend_logs(const SpendLogFilter& filter, int limit) {
  std::scoped_lock lock(mutex_);
  Conditions where;
  if (filter.api_key) where.equals("api_key", SqlValue(*filter.api_key));
  if (filter.user_id) where.equals("user_id", SqlValue(*filter.user_id));
  if (filter.team_id) where.equals("team_id", SqlValue(*filter.team_id));
  if (filter.request_id) {
    const auto id = where.param(SqlValue(*filter.request_id));
    where.add("(request_id = " + id + " OR response_id = " + id + ")");
  }
  if (filter.start_ms) where.add("start_time >= " + where.param(SqlValue(*filter.start_ms)));
  if (filter.end_ms) where.add("start_time < " + where.param(SqlValue(*filter.end_ms)));
  const std::string where_sql = where.where();
  const std::string limit_param = where.param(SqlValue(std::int64_t{limit < 1 ? 1 : limit}));
  std::vector<SpendLogRow> logs;
  for (const auto& row : connection_->query("SELECT " + spend_log_columns() + " FROM spend_logs" + where_sql +
                                                " ORDER BY start_time DESC, request_id DESC LIMIT " + limit_param,
                                            where.params())) {
    logs.push_back(spend_log_from_row(row));
  }
  return logs;
}

std::vector<DailySpendRow> Store::daily_spend(const DailySpendFilter& filter) {
  std::scoped_lock lock(mutex_);
  Conditions where;
  where.add("day >= " + where.param(SqlValue(filter.first_day)));
  where.add("day <= " + where.param(SqlValue(filter.last_day)));
  if (!filter.user_ids.empty()) where.add(where.in_list("user_id", filter.user_ids));
  if (!filter.team_ids.empty()) where.add(where.in_list("team_id", filter.team_ids));
  if (!filter.api_keys.empty()) where.add(where.in_list("api_key", filter.api_keys));
  if (filter.model) where.equals("model_group", SqlValue(*filter.model));
  std::vector<DailySpendRow> rows;
  for (const auto& row :
       connection_->query(std::string("SELECT ") + detail::daily_spend_columns() + " FROM daily_spend" + where.where() +
                              " ORDER BY day, api_key, model_group, model, team_id, user_id",
                          where.params())) {
    rows.push_back(detail::daily_spend_from_row(row));
  }
  return rows;
}

double Store::total_spend(std::optional<std::int64_t> start_ms, std::optional<std::int64_t> end_ms) {
  std::scoped_lock lock(mutex_);
  Conditions where;
  if (start_ms) where.add("start_time >= " + where.param(SqlValue(*start_ms)));
  if (end_ms) where.add("start_time < " + where.param(SqlValue(*end_ms)));
  const auto rows =
      connection_->query("SELECT COALESCE(SUM(spend), 0) FROM spend_logs" + where.where(), where.params());
  return rows.empty() ? 0.0 : rows.front().real(0);
}

bool Store::reset_spend(EntityKind kind, const std::string& id, std::optional<std::int64_t> next_reset_at) {
  std::scoped_lock lock(mutex_);
  return reset_spend_locked(kind, id, next_reset_at, nullptr);
}

bool Store::reset_spend(EntityKind kind, const std::string& id, std::optional<std::int64_t> next_reset_at,
                        const AuditEntry& audit) {
  std::scoped_lock lock(mutex_);
  return reset_spend_locked(kind, id, next_reset_at, &audit);
}

bool Store::reset_spend_locked(EntityKind kind, const std::string& id, std::optional<std::int64_t> next_reset_at,
                               const AuditEntry* audit) {
  const auto table = entity_table(kind);
  Transaction tx(*connection_, changes_);
  const auto before = select_spend(*connection_, kind, id);
  if (!before) return false;
  apply_reset(*connection_, SpendReset{kind, id, next_reset_at});
  if (audit) {
    write_audit(*connection_, *audit, AuditFacts{table.table, id, "spend_reset", spend_json(*before), spend_json(0)});
    // Only a management reset is reported: the budget windows' own resets are spend, which
    // the budget owners hold.
    tx.changed(table.change, id);
  }
  tx.commit();
  return true;
}

bool Store::set_spend(EntityKind kind, const std::string& id, double spend, const AuditEntry& audit) {
  std::scoped_lock lock(mutex_);
  const auto table = entity_table(kind);
  Transaction tx(*connection_, changes_);
  const auto before = select_spend(*connection_, kind, id);
  if (!before) return false;
  connection_->execute(std::string("UPDATE ") + table.table + " SET spend = $2 WHERE " + table.key_column + " = $1",
                       {SqlValue(id), SqlValue(spend)});
  write_audit(*connection_, audit,
              AuditFacts{table.table, id, "spend_updated", spend_json(*before), spend_json(spend)});
  tx.changed(table.change, id);
  tx.commit();
  return true;
}

std::optional<double> Store::entity_spend(EntityKind kind, const std::string& id) {
  std::scoped_lock lock(mutex_);
  return select_spend(*connection_, kind, id);
}

}  // namespace tollgate::persistence
