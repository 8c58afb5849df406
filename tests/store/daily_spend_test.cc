// Store: the daily spend rollups (migration 005) and spend logs found by their response id.
#include "persistence/daily_spend.h"
#include "persistence/migrations.h"
#include "tests/store/store_fixture.h"
#include "tests/store/store_test_data.h"

using namespace tollgate;
using persistence::DailySpendFilter;
using persistence::DailySpendRow;
using persistence::SpendLogRow;
using persistence::detail::kMillisecondsPerDay;
using testing::make_log;

namespace {

constexpr std::int64_t kDay = 20'000;  // 2024-10-04
constexpr std::int64_t kMorning = kDay * kMillisecondsPerDay + 3'600'000;

SpendLogRow log_of(const std::string& id, const std::string& key, double spend, std::int64_t start,
                   const std::string& user, const std::string& team) {
  SpendLogRow log = make_log(id, key, spend, start);
  log.user_id = user;
  log.team_id = team;
  return log;
}

// Amounts are multiples of 1/8: sums compare exactly.
std::vector<SpendLogRow> two_days_of_logs() {
  return {
      log_of("a1", "hash-a", 0.125, kMorning, "alice", "t-red"),
      log_of("a2", "hash-a", 0.25, kMorning + 1000, "alice", "t-red"),
      log_of("b1", "hash-b", 0.5, kMorning + 2000, "bob", "t-blue"),
      log_of("a3", "hash-a", 1.0, kMorning + kMillisecondsPerDay, "alice", "t-red"),
  };
}

DailySpendFilter days(std::int64_t first, std::int64_t last) {
  DailySpendFilter f;
  f.first_day = first;
  f.last_day = last;
  return f;
}

}  // namespace

STORE_TEST_CASE("daily spend: a flush adds its logs per day, key and model, a retried flush adds nothing",
                "[store][spend][daily]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  auto logs = two_days_of_logs();
  logs[1].status = "failure";
  store->record_spend(logs, {});
  store->record_spend(logs, {});  // the same batch again: already recorded

  const auto rows = store->daily_spend(days(kDay, kDay + 1));
  REQUIRE(rows.size() == 3);
  const DailySpendRow& a = rows[0];  // ordered by day, then key
  CHECK(a.day == kDay);
  CHECK(a.api_key == "hash-a");
  CHECK(a.user_id == "alice");
  CHECK(a.team_id == "t-red");
  CHECK(a.organization_id.empty());
  CHECK(a.model_group == "gpt-4o");
  CHECK(a.provider == "openai");
  CHECK(a.totals.spend == 0.375);
  CHECK(a.totals.prompt_tokens == 20);
  CHECK(a.totals.completion_tokens == 10);
  CHECK(a.totals.api_requests == 2);
  CHECK(a.totals.successful_requests == 1);
  CHECK(a.totals.failed_requests == 1);
  CHECK(rows[1].api_key == "hash-b");
  CHECK(rows[2].day == kDay + 1);
  CHECK(rows[2].totals.spend == 1.0);

  // A later flush on the same day adds to the same row.
  store->record_spend({log_of("a4", "hash-a", 2.0, kMorning + 5000, "alice", "t-red")}, {});
  CHECK(store->daily_spend(days(kDay, kDay)).front().totals.spend == 2.375);
  CHECK(store->daily_spend(days(kDay, kDay)).front().totals.api_requests == 3);
}

STORE_TEST_CASE("daily spend: filters by day range, user, team, key and model", "[store][spend][daily]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  auto logs = two_days_of_logs();
  logs[2].model_group = "claude";
  store->record_spend(logs, {});

  CHECK(store->daily_spend(days(kDay + 1, kDay + 1)).size() == 1);
  CHECK(store->daily_spend(days(kDay + 2, kDay + 9)).empty());
  auto by_user = days(kDay, kDay + 1);
  by_user.user_ids = {"bob"};
  REQUIRE(store->daily_spend(by_user).size() == 1);
  CHECK(store->daily_spend(by_user).front().totals.spend == 0.5);
  auto by_team = days(kDay, kDay + 1);
  by_team.team_ids = {"t-red", "t-none"};
  CHECK(store->daily_spend(by_team).size() == 2);
  auto by_key = days(kDay, kDay);
  by_key.api_keys = {"hash-a"};
  CHECK(store->daily_spend(by_key).size() == 1);
  auto by_model = days(kDay, kDay + 1);
  by_model.model = "claude";
  REQUIRE(store->daily_spend(by_model).size() == 1);
  CHECK(store->daily_spend(by_model).front().api_key == "hash-b");
}

STORE_TEST_CASE("spend logs: found by call id or response id, a reused response id collides with nothing",
                "[store][spend]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  auto first = make_log("call-1", "hash-a", 1.0, 1000);
  first.response_id = "chatcmpl-same";
  auto second = make_log("call-2", "hash-a", 2.0, 2000);
  second.response_id = "chatcmpl-same";                        // an upstream that reuses its ids
  const auto third = make_log("call-3", "hash-a", 4.0, 3000);  // no response id (e.g. embeddings)
  store->record_spend({first, second, third}, {});

  persistence::SpendLogFilter by_response;
  by_response.request_id = "chatcmpl-same";
  const auto both = store->spend_logs(by_response, 10);
  REQUIRE(both.size() == 2);
  CHECK(both[0].request_id == "call-2");
  CHECK(both[0].response_id == "chatcmpl-same");
  CHECK(both[1].request_id == "call-1");
  persistence::SpendLogFilter by_call;
  by_call.request_id = "call-1";
  REQUIRE(store->spend_logs(by_call, 10).size() == 1);
  CHECK(store->spend_logs(by_call, 10).front().spend == 1.0);
  by_call.request_id = "call-3";
  REQUIRE(store->spend_logs(by_call, 10).size() == 1);
  CHECK(store->spend_logs(by_call, 10).front().response_id.empty());
  CHECK(store->total_spend() == 7.0);
}

STORE_TEST_CASE("daily spend: migration 005 fills the rollups from the logs recorded before it",
                "[store][spend][daily][migrations]") {
  testing::TestDatabase db(TestType::name);
  auto connection = db.open_connection();
  const auto& all = persistence::embedded_migrations();
  REQUIRE(all.size() >= 5);
  persistence::migrate(*connection, std::vector<persistence::Migration>(all.begin(), all.begin() + 4));
  const char* insert =
      "INSERT INTO spend_logs (request_id, call_type, api_key, spend, prompt_tokens, completion_tokens, "
      "total_tokens, start_time, end_time, model, model_group, model_id, provider, user_id, team_id, status) "
      "VALUES ($1, 'acompletion', 'hash-a', $2, 10, 5, 15, $3, $3, 'gpt-4o', 'gpt-4o', 'd-1', 'openai', $4, NULL, $5)";
  using persistence::SqlValue;
  connection->execute(insert,
                      {SqlValue("old-1"), SqlValue(0.25), SqlValue(kMorning), SqlValue("alice"), SqlValue("success")});
  connection->execute(
      insert, {SqlValue("old-2"), SqlValue(0.5), SqlValue(kMorning + 10), SqlValue("alice"), SqlValue("failure")});
  connection->execute(insert, {SqlValue("old-3"), SqlValue(1.0), SqlValue(kMorning + kMillisecondsPerDay),
                               SqlValue("alice"), SqlValue("success")});

  auto store = db.migrated_store();
  const auto rows = store->daily_spend(days(kDay, kDay + 1));
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].day == kDay);
  CHECK(rows[0].user_id == "alice");
  CHECK(rows[0].team_id.empty());
  CHECK(rows[0].totals.spend == 0.75);
  CHECK(rows[0].totals.prompt_tokens == 20);
  CHECK(rows[0].totals.api_requests == 2);
  CHECK(rows[0].totals.successful_requests == 1);
  CHECK(rows[0].totals.failed_requests == 1);
  CHECK(rows[1].totals.spend == 1.0);
  // The old logs are found by their ids (no response id).
  persistence::SpendLogFilter by_id;
  by_id.request_id = "old-2";
  REQUIRE(store->spend_logs(by_id, 10).size() == 1);
  CHECK(store->spend_logs(by_id, 10).front().response_id.empty());
}
