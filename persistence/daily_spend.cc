#include "persistence/daily_spend.h"

#include <map>
#include <tuple>

namespace tollgate::persistence::detail {
namespace {

using RollupKey = std::tuple<std::int64_t, std::string, std::string, std::string, std::string, std::string, std::string,
                             std::string, std::string>;

RollupKey rollup_key(const SpendLogRow& log) {
  return {log.start_time / kMillisecondsPerDay,
          log.api_key,
          log.user_id.value_or(""),
          log.team_id.value_or(""),
          log.organization_id.value_or(""),
          log.end_user.value_or(""),
          log.model,
          log.model_group,
          log.provider};
}

constexpr const char* kUpsertDailySpend =
    "INSERT INTO daily_spend (day, api_key, user_id, team_id, organization_id, end_user, model, model_group, "
    "provider, spend, prompt_tokens, completion_tokens, api_requests, successful_requests, failed_requests) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) "
    "ON CONFLICT (day, api_key, user_id, team_id, organization_id, end_user, model, model_group, provider) "
    "DO UPDATE SET spend = daily_spend.spend + excluded.spend, "
    "prompt_tokens = daily_spend.prompt_tokens + excluded.prompt_tokens, "
    "completion_tokens = daily_spend.completion_tokens + excluded.completion_tokens, "
    "api_requests = daily_spend.api_requests + excluded.api_requests, "
    "successful_requests = daily_spend.successful_requests + excluded.successful_requests, "
    "failed_requests = daily_spend.failed_requests + excluded.failed_requests";

}  // namespace

struct DailyRollups::Sums {
  std::map<RollupKey, DailySpendRow> rows;
};

DailyRollups::DailyRollups() : sums_(std::make_unique<Sums>()) {}
DailyRollups::~DailyRollups() = default;

void DailyRollups::add(const std::vector<SpendLogRow>& logs) {
  for (const auto& log : logs) {
    auto key = rollup_key(log);
    auto [it, fresh] = sums_->rows.try_emplace(key);
    auto& row = it->second;
    if (fresh) {
      std::tie(row.day, row.api_key, row.user_id, row.team_id, row.organization_id, row.end_user, row.model,
               row.model_group, row.provider) = std::move(key);
    }
    const bool success = log.status == "success";
    row.totals.add({log.spend, log.prompt_tokens, log.completion_tokens, 1, success ? 1 : 0, success ? 0 : 1});
  }
}

std::vector<DailySpendRow> DailyRollups::rows() {
  std::vector<DailySpendRow> rows;
  rows.reserve(sums_->rows.size());
  for (auto& entry : sums_->rows) rows.push_back(std::move(entry.second));
  sums_->rows.clear();
  return rows;
}

std::vector<DailySpendRow> daily_rollups_of(const std::vector<SpendLogRow>& logs) {
  DailyRollups rollups;
  rollups.add(logs);
  return rollups.rows();
}

std::size_t add_daily_spend(SqlConnection& connection, const std::vector<DailySpendRow>& rows) {
  for (const auto& r : rows) {
    const auto& t = r.totals;
    connection.execute(
        kUpsertDailySpend,
        {SqlValue(r.day), SqlValue(r.api_key), SqlValue(r.user_id), SqlValue(r.team_id), SqlValue(r.organization_id),
         SqlValue(r.end_user), SqlValue(r.model), SqlValue(r.model_group), SqlValue(r.provider), SqlValue(t.spend),
         SqlValue(t.prompt_tokens), SqlValue(t.completion_tokens), SqlValue(t.api_requests),
         SqlValue(t.successful_requests), SqlValue(t.failed_requests)});
  }
  return rows.size();
}

const char* daily_spend_columns() {
  return "day, api_key, user_id, team_id, organization_id, end_user, model, model_group, provider, spend, "
         "prompt_tokens, completion_tokens, api_requests, successful_requests, failed_requests";
}

DailySpendRow daily_spend_from_row(const SqlRow& row) {
  DailySpendRow r;
  std::size_t i = 0;
  r.day = row.int64(i++);
  r.api_key = row.text(i++);
  r.user_id = row.text(i++);
  r.team_id = row.text(i++);
  r.organization_id = row.text(i++);
  r.end_user = row.text(i++);
  r.model = row.text(i++);
  r.model_group = row.text(i++);
  r.provider = row.text(i++);
  auto& t = r.totals;
  t.spend = row.real(i++);
  t.prompt_tokens = row.int64(i++);
  t.completion_tokens = row.int64(i++);
  t.api_requests = row.int64(i++);
  t.successful_requests = row.int64(i++);
  t.failed_requests = row.int64(i++);
  return r;
}

}  // namespace tollgate::persistence::detail
