#pragma once
// The daily spend rollups (migration 005): how a batch of spend logs adds to them, and how
// they are read. Used by the store's spend functions inside their transactions.
#include <cstdint>
#include <memory>
#include <vector>

#include "persistence/records.h"
#include "persistence/sql.h"

namespace tollgate::persistence::detail {

constexpr std::int64_t kMillisecondsPerDay = 86'400'000;

// The logs summed per day, key, entity and model (pure), in a fixed order: concurrent flushes
// upsert the same rows in the same order and cannot deadlock.
std::vector<DailySpendRow> daily_rollups_of(const std::vector<SpendLogRow>& logs);

// The same sums over logs that arrive in chunks: add() each chunk, then rows().
class DailyRollups {
 public:
  DailyRollups();
  ~DailyRollups();
  void add(const std::vector<SpendLogRow>& logs);
  std::vector<DailySpendRow> rows();  // in daily_rollups_of's order; empties the sums

 private:
  struct Sums;
  std::unique_ptr<Sums> sums_;
};

// Adds the rollups to daily_spend (one upsert per row); returns the statements executed.
std::size_t add_daily_spend(SqlConnection& connection, const std::vector<DailySpendRow>& rows);

// The daily_spend columns, in the order daily_spend_from_row reads them.
const char* daily_spend_columns();
DailySpendRow daily_spend_from_row(const SqlRow& row);

}  // namespace tollgate::persistence::detail
