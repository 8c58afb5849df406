// Store: spend logs and per-entity spend.
#include <thread>

#include "core/key_hash.h"
#include "persistence/errors.h"
#include "spend/spend_log_buffer.h"
#include "tests/store/store_fixture.h"
#include "tests/store/store_test_data.h"

using namespace tollgate;
using persistence::EntityKind;
using persistence::SpendIncrement;
using persistence::SpendLogRow;
using testing::audit_by;
using testing::make_log;

namespace {

// Entities every spend test charges: 4 keys, a team, a user, an organization.
struct Entities {
  std::vector<std::string> keys;
};

Entities create_entities(persistence::Store& store) {
  Entities entities;
  store.insert_organization(testing::make_organization("org-1"), audit_by());
  store.insert_team(testing::make_team("team-1", std::string("org-1")), audit_by());
  store.insert_user(testing::make_user("user-1"), audit_by());
  for (int i = 0; i < 4; ++i) {
    const auto key = store.insert_key(
        testing::make_key("sk-spend-key-" + std::to_string(i), std::string("user-1"), std::string("team-1")),
        audit_by());
    entities.keys.push_back(key.token_hash);
  }
  return entities;
}

// Amounts are multiples of 1/8, exact in binary, so sums compare with ==.
double amount_of(int i) { return 0.125 * (i % 8 + 1); }

struct Batch {
  std::vector<SpendLogRow> logs;
  std::vector<SpendIncrement> increments;
};

Batch make_batch(const Entities& entities, int count, const std::string& prefix, std::int64_t t0 = 1'000'000) {
  Batch batch;
  for (int i = 0; i < count; ++i) {
    const std::string& key = entities.keys[static_cast<std::size_t>(i) % entities.keys.size()];
    SpendLogRow log = make_log(prefix + std::to_string(i), key, amount_of(i), t0 + i);
    log.user_id = "user-1";
    log.team_id = "team-1";
    log.organization_id = "org-1";
    batch.logs.push_back(log);
    batch.increments.push_back({EntityKind::key, key, amount_of(i)});
    batch.increments.push_back({EntityKind::team, "team-1", amount_of(i)});
    batch.increments.push_back({EntityKind::user, "user-1", amount_of(i)});
    batch.increments.push_back({EntityKind::organization, "org-1", amount_of(i)});
  }
  return batch;
}

std::int64_t log_count(persistence::SqlConnection& c) {
  return c.query("SELECT COUNT(*) FROM spend_logs", {}).front().int64(0);
}

}  // namespace

STORE_TEST_CASE("spend: 1,000 requests in one flush sum exactly, in few round trips", "[store][spend]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  const auto entities = create_entities(*store);
  const auto batch = make_batch(entities, 1000, "req-");

  // PostgreSQL: 5 INSERTs of 200 rows; SQLite (in-process, no round trips): one cached
  // single-row INSERT per row. Then one daily rollup upsert per key (one day, one model) and
  // one UPDATE per entity (4 keys, team, user, org).
  const std::size_t inserts = std::string_view(TestType::name) == "sqlite" ? 1000 : 5;
  CHECK(store->record_spend(batch.logs, batch.increments) == inserts + 4 + 7);

  const double total = 125 * (0.125 * 36);  // 125 cycles of 1/8 … 8/8
  CHECK(store->total_spend() == total);
  CHECK(*store->entity_spend(EntityKind::team, "team-1") == total);
  CHECK(*store->entity_spend(EntityKind::user, "user-1") == total);
  CHECK(*store->entity_spend(EntityKind::organization, "org-1") == total);
  double keys_total = 0;
  for (const auto& key : entities.keys) keys_total += *store->entity_spend(EntityKind::key, key);
  CHECK(keys_total == total);
  // Key 0 gets requests 0, 4, 8, …: amounts 1/8 and 5/8 alternately, 250 of them.
  CHECK(*store->entity_spend(EntityKind::key, entities.keys[0]) == 125 * (0.125 + 0.625));
  CHECK(store->find_key(entities.keys[0])->spend == 125 * (0.125 + 0.625));

  auto connection = db.open_connection();
  CHECK(log_count(*connection) == 1000);

  // The same flush again (a retry after an unknown outcome): nothing is counted twice.
  CHECK(store->record_spend(batch.logs, batch.increments) == inserts);
  CHECK(log_count(*connection) == 1000);
  CHECK(store->total_spend() == total);
  CHECK(*store->entity_spend(EntityKind::team, "team-1") == total);
}

STORE_TEST_CASE("spend: a batch read a chunk at a time from the spend writer's encoded rows is written whole",
                "[store][spend]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  const auto entities = create_entities(*store);
  const auto batch = make_batch(entities, 1037, "enc-");  // 5 chunks of 200 and 37 rows
  spend::SpendLogBuffer encoded;
  for (const auto& log : batch.logs) encoded.push(log);
  REQUIRE(encoded.size() == 1037);

  spend::SpendLogBuffer::Reader logs(encoded);
  CHECK(store->commit_spend_batch(logs, batch.increments, {}, std::nullopt).written);
  double total = 0;
  for (const auto& log : batch.logs) total += log.spend;
  auto connection = db.open_connection();
  CHECK(log_count(*connection) == 1037);
  CHECK(store->total_spend() == total);
  CHECK(*store->entity_spend(EntityKind::team, "team-1") == total);
  persistence::SpendLogFilter last_row;
  last_row.request_id = "enc-1036";
  const auto last = store->spend_logs(last_row, 1);
  REQUIRE(last.size() == 1);
  CHECK(last.front().spend == batch.logs.back().spend);
  CHECK(last.front().model == batch.logs.back().model);

  // Read again from the start (a retry after an unknown outcome): nothing is counted twice.
  spend::SpendLogBuffer::Reader again(encoded);
  store->commit_spend_batch(again, batch.increments, {}, std::nullopt);
  CHECK(log_count(*connection) == 1037);
  CHECK(*store->entity_spend(EntityKind::team, "team-1") == total);
}

STORE_TEST_CASE("spend: a failing statement rolls the whole flush back", "[store][spend]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  const auto entities = create_entities(*store);
  const auto first = make_batch(entities, 10, "ok-");
  store->record_spend(first.logs, first.increments);
  const double team_before = *store->entity_spend(EntityKind::team, "team-1");

  // Row 250 comes after earlier INSERTs have run (PostgreSQL: the second of 200 rows each;
  // SQLite: the 251st single-row INSERT) when it fails.
  auto broken = make_batch(entities, 300, "bad-");
  broken.logs[250].request_id = "";  // violates CHECK (request_id <> '')
  CHECK_THROWS_AS(store->record_spend(broken.logs, broken.increments), persistence::StoreError);

  auto connection = db.open_connection();
  CHECK(log_count(*connection) == 10);
  CHECK(*store->entity_spend(EntityKind::team, "team-1") == team_before);
  CHECK(store->total_spend() == team_before);

  // The connection is usable afterwards.
  broken.logs[250].request_id = "bad-250";
  const std::size_t inserts = std::string_view(TestType::name) == "sqlite" ? 300 : 4;  // 200, 64, 32, 4
  CHECK(store->record_spend(broken.logs, broken.increments) == inserts + 4 + 7);       // + a rollup per key
  CHECK(log_count(*connection) == 310);
}

STORE_TEST_CASE("spend: increments alone, unknown entities and zero amounts", "[store][spend]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  const auto entities = create_entities(*store);
  CHECK(store->record_spend({}, {}) == 0);
  // Coalesced per entity; zero totals are skipped; unknown ids update nothing.
  CHECK(store->record_spend({}, {{EntityKind::key, entities.keys[1], 0.5},
                                 {EntityKind::key, entities.keys[1], 0.25},
                                 {EntityKind::user, "user-1", 1.0},
                                 {EntityKind::user, "user-1", -1.0},
                                 {EntityKind::team, "team-missing", 3.0}}) == 2);
  CHECK(*store->entity_spend(EntityKind::key, entities.keys[1]) == 0.75);
  CHECK(*store->entity_spend(EntityKind::user, "user-1") == 0);
  CHECK_FALSE(store->entity_spend(EntityKind::team, "team-missing"));
  CHECK_FALSE(store->entity_spend(EntityKind::organization, "org-missing"));
}

STORE_TEST_CASE("spend: every batch size from 1 to 260 (chunk edges, statement cache)", "[store][spend]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  const auto entities = create_entities(*store);
  std::int64_t expected_rows = 0;
  for (int size = 1; size <= 260; ++size) {
    const auto batch = make_batch(entities, size, "b" + std::to_string(size) + "-");
    const bool sqlite = std::string_view(TestType::name) == "sqlite";
    // PostgreSQL: 200-row statements, then the remainder as statements of power-of-two sizes
    // (a set bit each), so the connection prepares 9 texts in all, not one per remainder.
    const auto remainder = static_cast<unsigned>(size % 200);
    const std::size_t inserts =
        sqlite ? static_cast<std::size_t>(size) : static_cast<std::size_t>(size / 200 + __builtin_popcount(remainder));
    const std::size_t rollups = std::min<std::size_t>(static_cast<std::size_t>(size), entities.keys.size());
    REQUIRE(store->record_spend(batch.logs, {}) == inserts + rollups);
    expected_rows += size;
  }
  auto connection = db.open_connection();
  CHECK(log_count(*connection) == expected_rows);
}

STORE_TEST_CASE("spend: concurrent flushes from two nodes neither deadlock nor lose spend", "[store][spend]") {
  testing::TestDatabase db(TestType::name);
  auto setup = db.migrated_store();
  const auto entities = create_entities(*setup);
  auto node_a = db.open_store();
  auto node_b = db.open_store();
  std::string error;
  std::mutex error_mutex;
  auto flush = [&](persistence::Store& store, const std::string& prefix, bool reversed) {
    try {
      for (int round = 0; round < 20; ++round) {
        auto batch = make_batch(entities, 10, prefix + std::to_string(round) + "-");
        if (reversed) std::reverse(batch.increments.begin(), batch.increments.end());
        store.record_spend(batch.logs, batch.increments);
      }
    } catch (const std::exception& e) {
      std::scoped_lock lock(error_mutex);
      error = e.what();
    }
  };
  std::thread a(flush, std::ref(*node_a), "a", false);
  std::thread b(flush, std::ref(*node_b), "b", true);
  a.join();
  b.join();
  CHECK(error.empty());
  // 40 flushes × 10 requests; amounts 1/8 … 8/8 then 1/8, 2/8 → 4.5 + 0.375 per flush.
  CHECK(*setup->entity_spend(EntityKind::team, "team-1") == 40 * (4.5 + 0.375));
  CHECK(setup->total_spend() == 40 * (4.5 + 0.375));
}

STORE_TEST_CASE("spend: logs filter, order newest first, limit and total over a time range", "[store][spend]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  std::vector<SpendLogRow> logs;
  for (int i = 0; i < 10; ++i) {
    SpendLogRow log = make_log("r" + std::to_string(i), i < 6 ? "hash-a" : "hash-b", 1.0 + i, 1000 + i * 10);
    log.user_id = i % 2 == 0 ? std::optional<std::string>("even") : std::optional<std::string>("odd");
    log.team_id = i < 3 ? std::optional<std::string>("t1") : std::nullopt;
    log.metadata = R"({"i":)" + std::to_string(i) + "}";
    logs.push_back(log);
  }
  store->record_spend(logs, {});

  const auto all = store->spend_logs({}, 100);
  REQUIRE(all.size() == 10);
  CHECK(all.front().request_id == "r9");
  CHECK(all.back().request_id == "r0");
  CHECK(all.back().metadata == R"({"i":0})");
  CHECK(all.back().total_tokens == 15);
  CHECK(all.back().end_time == 1100);
  CHECK(all.back().provider == "openai");

  persistence::SpendLogFilter by_key;
  by_key.api_key = "hash-b";
  CHECK(store->spend_logs(by_key, 100).size() == 4);
  persistence::SpendLogFilter by_user;
  by_user.user_id = "even";
  CHECK(store->spend_logs(by_user, 100).size() == 5);
  persistence::SpendLogFilter by_team;
  by_team.team_id = "t1";
  CHECK(store->spend_logs(by_team, 100).size() == 3);
  persistence::SpendLogFilter by_request;
  by_request.request_id = "r4";
  const auto one = store->spend_logs(by_request, 100);
  REQUIRE(one.size() == 1);
  CHECK(one.front().spend == 5.0);
  persistence::SpendLogFilter window;
  window.start_ms = 1020;  // r2 … r5 (end exclusive)
  window.end_ms = 1060;
  CHECK(store->spend_logs(window, 100).size() == 4);
  CHECK(store->spend_logs({}, 3).size() == 3);

  CHECK(store->total_spend() == 55.0);
  CHECK(store->total_spend(1020, 1060) == 3.0 + 4.0 + 5.0 + 6.0);
  CHECK(store->total_spend(std::nullopt, 1010) == 1.0);
  CHECK(store->total_spend(5000) == 0.0);
}

STORE_TEST_CASE("spend: reset and set", "[store][spend]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  const auto entities = create_entities(*store);
  store->record_spend({}, {{EntityKind::key, entities.keys[0], 4.0}, {EntityKind::team, "team-1", 2.0}});

  REQUIRE(store->reset_spend(EntityKind::key, entities.keys[0], 5000));
  CHECK(*store->entity_spend(EntityKind::key, entities.keys[0]) == 0);
  CHECK(store->find_key(entities.keys[0])->budget_reset_at == std::optional<std::int64_t>(5000));
  REQUIRE(store->reset_spend(EntityKind::key, entities.keys[0], std::nullopt, audit_by()));
  CHECK(store->find_key(entities.keys[0])->budget_reset_at == std::optional<std::int64_t>(5000));
  CHECK(store->audit_log(entities.keys[0], 1).front().action == "spend_reset");
  CHECK_FALSE(store->reset_spend(EntityKind::team, "team-missing", std::nullopt));

  REQUIRE(store->set_spend(EntityKind::team, "team-1", 1.5, audit_by()));
  CHECK(*store->entity_spend(EntityKind::team, "team-1") == 1.5);
  const auto audit = store->audit_log(std::string("team-1"), 1).front();
  CHECK(audit.action == "spend_updated");
  CHECK(audit.before_json == R"({"spend":2})");
  CHECK(audit.after_json == R"({"spend":1.5})");
  CHECK_FALSE(store->set_spend(EntityKind::user, "user-missing", 1.0, audit_by()));
}
