// Exact budgets and rate limits under concurrency, through real HTTP, with tollgate-mock as the
// provider, on both stores: what the database records is the assertion.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include "core/key_hash.h"
#include "persistence/postgres_connection.h"
#include "persistence/store.h"
#include "tests/store/store_fixture.h"
#include "tests/support/http_client.h"
#include "tests/support/metrics_text.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate;
using namespace tollgate::testing;
using namespace std::chrono_literals;

namespace {

// Prices chosen so a short request costs a few micro-dollars.
std::string config_for(const TestDatabase& db, const MockUpstream& mock, const std::string& extra = "") {
  std::string yaml =
      "model_list:\n"
      "  - model_name: priced\n"
      "    litellm_params: {model: openai/priced-model, api_base: \"" +
      mock.base_url() +
      "\", api_key: sk-upstream-unused}\n"
      "    model_info: {input_cost_per_token: 0.000001, output_cost_per_token: 0.000002, max_output_tokens: 50}\n"
      // An OpenAI-compatible server that reports no usage, whole or streamed.
      "  - model_name: silent\n"
      "    litellm_params: {model: \"openai/silent+no-usage\", api_base: \"" +
      mock.base_url() +
      "\"}\n"
      "    model_info: {input_cost_per_token: 0.000001, output_cost_per_token: 0.000002, max_output_tokens: 50}\n"
      "  - model_name: paced\n"
      "    litellm_params: {model: \"openai/paced+chunks-40+pace-50\", api_base: \"" +
      mock.base_url() +
      "\"}\n"
      "    model_info: {input_cost_per_token: 0.000001, output_cost_per_token: 0.000002}\n"
      "  - model_name: slow\n"
      "    litellm_params: {model: \"openai/latency-700\", api_base: \"" +
      mock.base_url() +
      "\"}\n"
      "    model_info: {input_cost_per_token: 0.000001, output_cost_per_token: 0.000002}\n"
      // Counts usage like a real tokenizer (a Chinese character is a token) and echoes the prompt.
      "  - model_name: tokenized\n"
      "    litellm_params: {model: \"openai/tokenized+tokenizer+echo+latency-200\", api_base: \"" +
      mock.base_url() +
      "\"}\n"
      "    model_info: {input_cost_per_token: 0.000001, output_cost_per_token: 0.000001, max_output_tokens: 400}\n"
      // Its model_info understates the longest answer: the reservation is not an upper bound.
      "  - model_name: understated\n"
      "    litellm_params: {model: \"openai/understated+tokenizer+size-4000\", api_base: \"" +
      mock.base_url() +
      "\"}\n"
      "    model_info: {input_cost_per_token: 0.000001, output_cost_per_token: 0.000001, max_output_tokens: 5}\n"
      "general_settings:\n"
      "  max_auth_failures_per_minute: 100000\n";
  return yaml + db.gateway_settings() + extra;
}

rapidjson::Document json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

std::string generate_key(const TestGateway& gw, const std::string& body) {
  const auto reply = http_request(gw.port(), "POST", "/key/generate", body, bearer(gw.master_key()));
  REQUIRE(reply.status == 200);
  const auto key = std::string(json(reply.body)["key"].GetString());
  register_secret(key);
  return key;
}

const std::string kChat = R"({"model":"priced","messages":[{"role":"user","content":"a short question"}]})";

struct Outcome {
  int status = 0;
  double cost = 0;
  std::string type;
};

// `total` requests over `threads` threads, each with its own keep-alive connection; request i
// sends bodies[i % bodies.size()].
std::vector<Outcome> fire(std::uint16_t port, const std::vector<std::string>& keys, int total, int threads,
                          const std::vector<std::string>& bodies = {kChat}) {
  std::vector<Outcome> out(static_cast<std::size_t>(total));
  std::atomic<int> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      HttpConnection connection(port);
      for (int i = next++; i < total; i = next++) {
        const auto& key = keys[static_cast<std::size_t>(i) % keys.size()];
        const auto& body = bodies[static_cast<std::size_t>(i) % bodies.size()];
        const auto reply = connection.request("POST", "/v1/chat/completions", body, bearer(key));
        auto& o = out[static_cast<std::size_t>(i)];
        o.status = reply.status;
        if (reply.status == 200 && !reply.header("x-litellm-response-cost").empty()) {  // not on streams
          o.cost = std::stod(reply.header("x-litellm-response-cost"));
        } else if (auto d = json(reply.body); d.IsObject() && d.HasMember("error"))
          o.type = d["error"]["type"].GetString();
      }
    });
  }
  for (auto& t : pool) t.join();
  return out;
}

// Spend becomes visible once the writer flushes (every second): wait for the expected rows.
std::pair<std::size_t, double> logged_spend(persistence::Store& store, const std::string& key_hash,
                                            std::size_t expect_rows) {
  persistence::SpendLogFilter filter;
  filter.api_key = key_hash;
  std::vector<persistence::SpendLogRow> rows;
  for (int i = 0; i < 100; ++i) {
    rows = store.spend_logs(filter, 100000);
    if (rows.size() >= expect_rows) break;
    std::this_thread::sleep_for(50ms);
  }
  double sum = 0;
  for (const auto& r : rows) sum += r.spend;
  return {rows.size(), sum};
}

}  // namespace

TEMPLATE_TEST_CASE("a tiny key budget is never overshot by 200 concurrent requests", "[integration][budgets]", Sqlite,
                   PostgreSQL) {
  TestDatabase db(TestType::name);
  MockUpstream mock;
  TestGateway gw(config_for(db, mock), db.gateway_env());
  const double budget = 0.0005;  // about 5 answered requests at this price
  const auto key = generate_key(gw, R"({"max_budget":0.0005})");
  const auto results = fire(gw.port(), {key}, 200, 32);
  int ok = 0, denied = 0;
  double reported = 0;
  for (const auto& r : results) {
    if (r.status == 200) {
      ++ok;
      reported += r.cost;
    } else {
      CHECK(r.status == 429);
      CHECK(r.type == "budget_exceeded");
      ++denied;
    }
  }
  CHECK(ok > 0);
  CHECK(ok + denied == 200);
  auto store = db.migrated_store();
  const auto [rows, logged] = logged_spend(*store, core::hash_key(key), static_cast<std::size_t>(ok));
  CHECK(rows == static_cast<std::size_t>(ok));
  CHECK(logged == Approx(reported).epsilon(1e-9));
  CHECK(logged <= budget);  // overshoot: 0
  std::this_thread::sleep_for(1200ms);
  CHECK(store->find_key(core::hash_key(key))->spend == Approx(logged).epsilon(1e-9));
  WARN("tiny budget: " << ok << " admitted, " << denied << " denied, spend " << logged << " of " << budget);
}

TEMPLATE_TEST_CASE("60 concurrent Chinese requests against a tokenizer never spend past a tight budget",
                   "[integration][budgets][tokens]", Sqlite, PostgreSQL) {
  TestDatabase db(TestType::name);
  MockUpstream mock;
  TestGateway gw(config_for(db, mock), db.gateway_env());
  // A request really costs 297 prompt tokens (290 characters + the chat format's 7) and 40
  // completion tokens (the echo cut at max_tokens): $0.000337. Bytes / 4 would have reserved
  // 258 tokens' worth, so 9 concurrent requests would fit $0.0025 and spend $0.003033.
  const double budget = 0.0025;
  const auto key = generate_key(gw, R"({"max_budget":0.0025})");
  const auto prompt = chinese_text(290);
  const std::string messages = R"("max_tokens":40,"messages":[{"role":"user","content":")" + prompt + R"("}]})";
  const std::vector<std::string> bodies = {
      R"({"model":"tokenized",)" + messages,
      R"({"model":"tokenized","stream":true,"stream_options":{"include_usage":true},)" + messages,
  };
  const auto results = fire(gw.port(), {key}, 60, 60, bodies);
  int ok = 0;
  for (const auto& r : results) {
    if (r.status == 200) {
      ++ok;
    } else {
      CHECK(r.status == 429);
      CHECK(r.type == "budget_exceeded");
    }
  }
  REQUIRE(ok > 0);
  CHECK(mock.requests_for_model("tokenized+tokenizer+echo+latency-200") == ok);

  auto store = db.migrated_store();
  persistence::SpendLogFilter filter;
  filter.api_key = core::hash_key(key);
  std::vector<persistence::SpendLogRow> rows;
  for (int i = 0; i < 100 && rows.size() < static_cast<std::size_t>(ok); ++i) {
    std::this_thread::sleep_for(50ms);
    rows = store->spend_logs(filter, 1000);
  }
  REQUIRE(rows.size() == static_cast<std::size_t>(ok));
  double logged = 0;
  for (const auto& row : rows) {
    CHECK(row.prompt_tokens == 3 + 3 + 1 + 290);  // the provider's count, not bytes / 4
    CHECK(row.completion_tokens == 40);
    logged += row.spend;
  }
  CHECK(logged <= budget);
  double key_spend = 0;
  for (int i = 0; i < 100 && key_spend < logged - 1e-12; ++i) {
    std::this_thread::sleep_for(50ms);
    key_spend = store->find_key(core::hash_key(key))->spend;
  }
  CHECK(key_spend == Approx(logged).epsilon(1e-9));
  CHECK(key_spend <= budget);
  const auto metrics = http_request(gw.port(), "GET", "/metrics").body;
  CHECK_THAT(metrics, Catch::Contains("tollgate_settle_above_reservation_total 0"));
  WARN("tokenizer budget: " << ok << " admitted of 60, spend " << key_spend << " of " << budget);
}

TEST_CASE("a provider charging above the reservation is recorded in full and counted",
          "[integration][budgets][tokens]") {
  TestDatabase db("sqlite");
  MockUpstream mock;
  TestGateway gw(config_for(db, mock), db.gateway_env());
  const auto key = generate_key(gw, R"({"max_budget":10})");
  // model_info says 5 output tokens at most; the answer is 4,000 ASCII bytes: 1,000 tokens.
  const auto reply =
      http_request(gw.port(), "POST", "/v1/chat/completions",
                   R"({"model":"understated","messages":[{"role":"user","content":"hi"}]})", bearer(key));
  REQUIRE(reply.status == 200);
  const double cost = std::stod(reply.header("x-litellm-response-cost"));
  CHECK(cost == Approx((3 + 3 + 1 + 1 + 1000) * 0.000001));
  const auto metrics = http_request(gw.port(), "GET", "/metrics").body;
  CHECK_THAT(metrics, Catch::Contains("tollgate_settle_above_reservation_total 1"));
  auto store = db.migrated_store();
  double key_spend = 0;
  for (int i = 0; i < 100 && key_spend == 0; ++i) {
    std::this_thread::sleep_for(50ms);
    key_spend = store->find_key(core::hash_key(key))->spend;
  }
  CHECK(key_spend == Approx(cost));  // the true cost, not the reservation
}

TEMPLATE_TEST_CASE("a team budget shared by three keys is enforced exactly", "[integration][budgets]", Sqlite,
                   PostgreSQL) {
  TestDatabase db(TestType::name);
  MockUpstream mock;
  TestGateway gw(config_for(db, mock), db.gateway_env());
  const double budget = 0.0004;
  auto store = db.migrated_store();
  persistence::TeamRecord team;
  team.team_id = "shared-team";
  team.max_budget = budget;
  store->insert_team(team, persistence::AuditEntry{"test", "created", "", "", "", ""});
  std::vector<std::string> keys;
  for (int i = 0; i < 3; ++i) keys.push_back(generate_key(gw, R"({"team_id":"shared-team"})"));
  const auto results = fire(gw.port(), keys, 150, 24);
  int ok = 0;
  double reported = 0;
  for (const auto& r : results) {
    if (r.status == 200) {
      ++ok;
      reported += r.cost;
    } else {
      CHECK(r.type == "budget_exceeded");
    }
  }
  CHECK(ok > 0);
  CHECK(reported <= budget);
  double team_spend = 0;
  for (int i = 0; i < 100; ++i) {
    team_spend = store->find_team("shared-team")->spend;
    if (team_spend >= reported - 1e-12) break;
    std::this_thread::sleep_for(50ms);
  }
  CHECK(team_spend == Approx(reported).epsilon(1e-9));
  CHECK(team_spend <= budget);
}

TEST_CASE("rpm_limit 10 with 50 concurrent requests: exactly 10 succeed", "[integration][ratelimits]") {
  TestDatabase db("sqlite");
  MockUpstream mock;
  TestGateway gw(config_for(db, mock), db.gateway_env());
  const auto key = generate_key(gw, R"({"rpm_limit":10})");
  const auto results = fire(gw.port(), {key}, 50, 25);
  int ok = 0, limited = 0;
  for (const auto& r : results) {
    if (r.status == 200) ++ok;
    if (r.status == 429 && r.type == "rate_limit_error") ++limited;
  }
  CHECK(ok == 10);
  CHECK(limited == 40);
  const auto reply = http_request(gw.port(), "POST", "/v1/chat/completions", kChat, bearer(key));
  CHECK(reply.status == 429);
  CHECK(std::stoi(reply.header("retry-after")) >= 1);
  CHECK(reply.header("x-ratelimit-remaining-requests") == "0");
  CHECK(reply.header("x-ratelimit-limit-requests") == "10");
}

TEST_CASE("a key cache bounded to 16 keys serves 40 keys, evicts, and keeps their budgets exact",
          "[integration][budgets][bounded]") {
  TestDatabase db("sqlite");
  MockUpstream mock;
  TestGateway gw(config_for(db, mock, "  key_cache_max_size: 16\n  max_budget_owners: 1\n"), db.gateway_env());
  std::vector<std::string> keys;
  for (int i = 0; i < 40; ++i) keys.push_back(generate_key(gw, R"({"max_budget":0.5,"rpm_limit":2})"));
  for (int round = 0; round < 2; ++round) {
    for (const auto& key : keys) {
      CHECK(http_request(gw.port(), "POST", "/v1/chat/completions", kChat, bearer(key)).status == 200);
    }
  }
  for (const auto& key : keys) {  // rpm 2: each key's third request in the minute is refused
    CHECK(http_request(gw.port(), "POST", "/v1/chat/completions", kChat, bearer(key)).status == 429);
  }
  const auto text = http_request(gw.port(), "GET", "/metrics").body;
  CHECK(metric_sum(text, "tollgate_cache_entries", R"(cache="keys")") <= 16);
  CHECK(metric_sum(text, "tollgate_cache_max_entries", R"(cache="keys")") == 16);
  CHECK(metric_sum(text, "tollgate_cache_evictions_total", R"(cache="keys")") >= 24);  // 40 keys, 16 slots
  CHECK(metric_sum(text, "tollgate_budget_owners_max") == 1);
  // Owners in use within the last minute are never evicted, whatever the bound.
  CHECK(metric_sum(text, "tollgate_budget_owners") >= 40);
  CHECK(metric_sum(text, "tollgate_budget_owner_evictions_total") == 0);
}

TEST_CASE("max_parallel_requests 2 with a slow upstream: the third concurrent request gets 429",
          "[integration][ratelimits]") {
  TestDatabase db("sqlite");
  MockUpstream mock;
  TestGateway gw(config_for(db, mock), db.gateway_env());
  const auto key = generate_key(gw, R"({"max_parallel_requests":2})");
  const std::string slow = R"({"model":"slow","messages":[{"role":"user","content":"x"}]})";
  auto first = std::async(std::launch::async,
                          [&] { return http_request(gw.port(), "POST", "/v1/chat/completions", slow, bearer(key)); });
  auto second = std::async(std::launch::async,
                           [&] { return http_request(gw.port(), "POST", "/v1/chat/completions", slow, bearer(key)); });
  std::this_thread::sleep_for(250ms);
  const auto third = http_request(gw.port(), "POST", "/v1/chat/completions", slow, bearer(key));
  CHECK(third.status == 429);
  CHECK_THAT(third.body, Catch::Contains("parallel"));
  CHECK(first.get().status == 200);
  CHECK(second.get().status == 200);
  CHECK(http_request(gw.port(), "POST", "/v1/chat/completions", slow, bearer(key)).status == 200);  // slots freed
}

// `key` has max_budget 0.0003 and budget_duration 2s, its own or through a linked budget. Each
// request reserves its worst case, ~$0.0002 (docs/budgets.md), and really costs ~$0.00003.
void check_two_second_reset(TestDatabase& db, const TestGateway& gw, const std::string& key) {
  int ok_before = 0;
  for (const auto& r : fire(gw.port(), {key}, 10, 1)) ok_before += r.status == 200;
  CHECK(ok_before >= 1);
  CHECK(http_request(gw.port(), "POST", "/v1/chat/completions", kChat, bearer(key)).status == 429);
  std::this_thread::sleep_for(2500ms);
  CHECK(http_request(gw.port(), "POST", "/v1/chat/completions", kChat, bearer(key)).status == 200);
  // The reset reached the store too (spend there is now only what came after it).
  auto store = db.migrated_store();
  std::this_thread::sleep_for(1500ms);
  CHECK(store->find_key(core::hash_key(key))->spend < 0.0001);
}

TEST_CASE("a budget with budget_duration 2s resets", "[integration][budgets]") {
  TestDatabase db("sqlite");
  MockUpstream mock;
  TestGateway gw(config_for(db, mock), db.gateway_env());
  check_two_second_reset(db, gw, generate_key(gw, R"({"max_budget":0.0003,"budget_duration":"2s"})"));
}

TEST_CASE("the seed scenario: max_budget 0.0000001 and 5 requests to a priced model", "[integration][budgets]") {
  TestDatabase db("sqlite");
  MockUpstream mock;
  TestGateway gw(config_for(db, mock), db.gateway_env());
  const auto key = generate_key(gw, R"({"max_budget":0.0000001})");
  int denied = 0;
  for (const auto& r : fire(gw.port(), {key}, 5, 1)) {
    CHECK(r.status == 429);  // even one request's worst case exceeds the budget
    CHECK(r.type == "budget_exceeded");
    denied += r.status == 429;
  }
  CHECK(denied == 5);
  auto store = db.migrated_store();
  std::this_thread::sleep_for(1200ms);
  CHECK(store->find_key(core::hash_key(key))->spend <= 0.0000001);
}

TEST_CASE("a model outside the key's list is refused with 403 and hidden from /v1/models", "[integration][budgets]") {
  TestDatabase db("sqlite");
  MockUpstream mock;
  TestGateway gw(config_for(db, mock), db.gateway_env());
  const auto key = generate_key(gw, R"({"models":["slow"]})");
  const auto refused = http_request(gw.port(), "POST", "/v1/chat/completions", kChat, bearer(key));
  CHECK(refused.status == 403);
  const auto models = json(http_request(gw.port(), "GET", "/v1/models", "", bearer(key)).body);
  REQUIRE(models["data"].Size() == 1);
  CHECK(std::string(models["data"][0]["id"].GetString()) == "slow");
}

TEST_CASE("spend survives a store outage: cached keys keep working, spend is flushed after recovery",
          "[integration][budgets][outage]") {
  TestDatabase db("postgresql");
  MockUpstream mock;
  TestGateway gw(config_for(db, mock), db.gateway_env());
  const auto key = generate_key(gw, R"({"max_budget":10})");
  double reported = 0;
  for (const auto& r : fire(gw.port(), {key}, 5, 1)) reported += r.cost;  // key now cached
  auto admin = std::make_unique<persistence::PostgresConnection>(std::getenv("TOLLGATE_TEST_PG_ADMIN_URL"));
  admin->execute_script("ALTER DATABASE " + db.database_name() + " ALLOW_CONNECTIONS false");
  db.terminate_sessions();
  for (const auto& r : fire(gw.port(), {key}, 10, 2)) {
    CHECK(r.status == 200);
    reported += r.cost;
  }
  std::this_thread::sleep_for(1500ms);  // the writer tries, fails, keeps buffering
  admin->execute_script("ALTER DATABASE " + db.database_name() + " ALLOW_CONNECTIONS true");
  auto store = db.migrated_store();
  const auto [rows, logged] = logged_spend(*store, core::hash_key(key), 15);
  CHECK(rows == 15);
  CHECK(logged == Approx(reported).epsilon(1e-9));
  double key_spend = 0;
  for (int i = 0; i < 100; ++i) {
    key_spend = store->find_key(core::hash_key(key))->spend;
    if (key_spend >= reported - 1e-12) break;
    std::this_thread::sleep_for(100ms);
  }
  CHECK(key_spend == Approx(reported).epsilon(1e-9));
}

TEST_CASE("graceful shutdown flushes spend", "[integration][budgets]") {
  TestDatabase db("sqlite");
  MockUpstream mock;
  double reported = 0;
  std::string key;
  {
    TestGateway gw(config_for(db, mock), db.gateway_env());
    key = generate_key(gw, R"({"max_budget":10})");
    for (const auto& r : fire(gw.port(), {key}, 8, 2)) reported += r.cost;
    CHECK(gw.shutdown());  // immediately: the writer has not flushed on its own yet
  }
  auto store = db.migrated_store();
  persistence::SpendLogFilter filter;
  filter.api_key = core::hash_key(key);
  double logged = 0;
  for (const auto& r : store->spend_logs(filter, 100)) logged += r.spend;
  CHECK(logged == Approx(reported).epsilon(1e-9));
  CHECK(store->find_key(core::hash_key(key))->spend == Approx(reported).epsilon(1e-9));
}

TEST_CASE("/spend/logs and /global/spend report what was recorded", "[integration][budgets]") {
  TestDatabase db("sqlite");
  MockUpstream mock;
  TestGateway gw(config_for(db, mock), db.gateway_env());
  persistence::UserRecord user;
  user.user_id = "spender";
  db.migrated_store()->insert_user(user, persistence::AuditEntry{"test", "created", "", "", "", ""});
  const auto key = generate_key(gw, R"({"max_budget":10,"user_id":"spender"})");
  double reported = 0;
  for (const auto& r : fire(gw.port(), {key}, 3, 1)) reported += r.cost;
  std::this_thread::sleep_for(1500ms);
  const auto logs =
      json(http_request(gw.port(), "GET", "/spend/logs?api_key=" + key, "", bearer(gw.master_key())).body);
  REQUIRE(logs.IsArray());
  CHECK(logs.Size() == 3);
  const auto own = json(http_request(gw.port(), "GET", "/spend/logs", "", bearer(key)).body);
  REQUIRE(own.IsArray());
  CHECK(own.Size() == 3);  // a user's key sees its own logs
  const auto global = json(http_request(gw.port(), "GET", "/global/spend", "", bearer(gw.master_key())).body);
  CHECK(global["spend"].GetDouble() == Approx(reported).epsilon(1e-9));
  CHECK(http_request(gw.port(), "GET", "/global/spend", "", bearer(key)).status == 403);
  const auto info = json(http_request(gw.port(), "GET", "/key/info?key=" + key, "", bearer(gw.master_key())).body);
  CHECK(info["info"]["spend"].GetDouble() == Approx(reported).epsilon(1e-9));
}

TEST_CASE("a stream the client abandons is charged for what it generated", "[integration][budgets][streaming]") {
  TestDatabase db("sqlite");
  MockUpstream mock;
  TestGateway gw(config_for(db, mock), db.gateway_env());
  const auto key = generate_key(gw, R"({"max_budget":10})");
  const std::string body =
      R"({"model":"paced","stream":true,"messages":[{"role":"user","content":"Tell me a long story, please."}]})";
  const std::string request = "POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer " + key +
                              "\r\ncontent-type: application/json\r\ncontent-length: " + std::to_string(body.size()) +
                              "\r\n\r\n" + body;
  // 40 events 50 ms apart: hanging up after 400 ms leaves most of the stream unsent.
  const auto received = raw_exchange(gw.port(), request, 400ms);
  REQUIRE_THAT(received, Catch::Contains("chat.completion.chunk"));
  REQUIRE_THAT(received, !Catch::Contains("[DONE]"));

  auto store = db.migrated_store();
  persistence::SpendLogFilter filter;
  filter.api_key = core::hash_key(key);
  std::vector<persistence::SpendLogRow> logs;
  for (int i = 0; i < 50 && logs.empty(); ++i) {
    std::this_thread::sleep_for(100ms);
    logs = store->spend_logs(filter, 10);
  }
  REQUIRE(logs.size() == 1);
  CHECK_THAT(logs[0].metadata, Catch::Contains("\"interrupted_stream\":true"));
  CHECK(logs[0].prompt_tokens > 0);
  CHECK(logs[0].completion_tokens > 0);
  CHECK(logs[0].spend == Approx(logs[0].prompt_tokens * 0.000001 + logs[0].completion_tokens * 0.000002));
  double key_spend = 0;
  for (int i = 0; i < 50 && key_spend == 0; ++i) {
    key_spend = store->find_key(core::hash_key(key))->spend;
    if (key_spend == 0) std::this_thread::sleep_for(100ms);
  }
  CHECK(key_spend == Approx(logs[0].spend));
}

TEST_CASE("an upstream that reports no usage is charged the gateway's estimate, never nothing",
          "[integration][budgets][streaming]") {
  TestDatabase db("sqlite");
  MockUpstream mock;
  TestGateway gw(config_for(db, mock), db.gateway_env());
  const auto key = generate_key(gw, R"({"max_budget":10})");
  const std::string question = R"("messages":[{"role":"user","content":"Tell me a story about budgets, please."}])";
  const auto whole =
      http_request(gw.port(), "POST", "/v1/chat/completions", R"({"model":"silent",)" + question + "}", bearer(key));
  REQUIRE(whole.status == 200);
  REQUIRE_THAT(whole.body, !Catch::Contains("\"usage\""));  // the mock really reported none
  CHECK(std::stod(whole.header("x-litellm-response-cost")) > 0);
  int status = 0;
  const auto events = read_sse(gw.port(), "/v1/chat/completions",
                               R"({"model":"silent","stream":true,)" + question + "}", bearer(key), &status);
  REQUIRE(status == 200);
  REQUIRE(events.back().data == "data: [DONE]");

  auto store = db.migrated_store();
  persistence::SpendLogFilter filter;
  filter.api_key = core::hash_key(key);
  std::vector<persistence::SpendLogRow> logs;
  for (int i = 0; i < 50 && logs.size() < 2; ++i) {
    std::this_thread::sleep_for(100ms);
    logs = store->spend_logs(filter, 10);
  }
  REQUIRE(logs.size() == 2);
  for (const auto& log : logs) {
    CHECK(log.prompt_tokens > 0);
    CHECK(log.completion_tokens > 0);
    CHECK(log.completion_tokens <= 50);  // never past what the provider may generate
    CHECK(log.spend == Approx(log.prompt_tokens * 0.000001 + log.completion_tokens * 0.000002));
  }
}

// ---- shared budgets (/budget/new) linked by budget_id: their limits apply where the key's own are unset

namespace {

void create_budget(const TestGateway& gw, const std::string& body) {
  const auto reply = http_request(gw.port(), "POST", "/budget/new", body, bearer(gw.master_key()));
  INFO(reply.body);
  REQUIRE(reply.status == 200);
}

}  // namespace

TEMPLATE_TEST_CASE("a key linking a budget is held to the budget's max_budget, its own max_budget wins",
                   "[integration][budgets][linked]", Sqlite, PostgreSQL) {
  TestDatabase db(TestType::name);
  MockUpstream mock;
  TestGateway gw(config_for(db, mock), db.gateway_env());
  create_budget(gw, R"({"budget_id":"tiny","max_budget":0.0000001})");
  const auto linked = generate_key(gw, R"({"key_alias":"linked-key","budget_id":"tiny"})");
  const auto refused = http_request(gw.port(), "POST", "/v1/chat/completions", kChat, bearer(linked));
  CHECK(refused.status == 429);
  CHECK(std::string(json(refused.body)["error"]["type"].GetString()) == "budget_exceeded");
  CHECK_THAT(refused.body, Catch::Contains("Key=linked-key"));

  const auto own = generate_key(gw, R"({"budget_id":"tiny","max_budget":1})");
  CHECK(http_request(gw.port(), "POST", "/v1/chat/completions", kChat, bearer(own)).status == 200);

  // A budget that does not exist cannot be linked; one still linked cannot be deleted.
  const auto unknown =
      http_request(gw.port(), "POST", "/key/generate", R"({"budget_id":"no-such-budget"})", bearer(gw.master_key()));
  CHECK(unknown.status == 404);
  CHECK(http_request(gw.port(), "POST", "/budget/delete", R"({"id":"tiny"})", bearer(gw.master_key())).status == 409);
}

TEST_CASE("a budget's rpm_limit applies to each key linking it, counted per key", "[integration][ratelimits][linked]") {
  TestDatabase db("sqlite");
  MockUpstream mock;
  TestGateway gw(config_for(db, mock), db.gateway_env());
  create_budget(gw, R"({"budget_id":"three-a-minute","rpm_limit":3})");
  const auto first = generate_key(gw, R"({"budget_id":"three-a-minute"})");
  const auto second = generate_key(gw, R"({"budget_id":"three-a-minute"})");
  for (const auto& key : {first, second}) {
    int ok = 0, limited = 0;
    for (const auto& r : fire(gw.port(), {key}, 5, 1)) {
      ok += r.status == 200;
      limited += r.status == 429 && r.type == "rate_limit_error";
    }
    CHECK(ok == 3);
    CHECK(limited == 2);
  }
}

TEST_CASE("a linked budget's budget_duration resets the key's spend", "[integration][budgets][linked]") {
  TestDatabase db("sqlite");
  MockUpstream mock;
  TestGateway gw(config_for(db, mock), db.gateway_env());
  create_budget(gw, R"({"budget_id":"every-2s","max_budget":0.0003,"budget_duration":"2s"})");
  // The reset reaches the key's own row (the budget row holds no spend).
  check_two_second_reset(db, gw, generate_key(gw, R"({"budget_id":"every-2s"})"));
}

TEST_CASE("a deleted key's budget owner retires at once, a request in flight when it was deleted is still charged",
          "[integration][budgets][deleted]") {
  const auto backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  TestDatabase db(backend);
  MockUpstream mock;
  TestGateway gw(config_for(db, mock), db.gateway_env());
  const auto owners = [&gw] {
    return metric_sum(http_request(gw.port(), "GET", "/metrics").body, "tollgate_budget_owners");
  };
  const auto wait_for_owners = [&](double expected) {
    for (int i = 0; i < 200 && owners() != expected; ++i) std::this_thread::sleep_for(10ms);
    return owners();
  };
  const auto admin = [&gw](const std::string& path, const std::string& body) {
    return http_request(gw.port(), "POST", path, body, bearer(gw.master_key())).status;
  };
  REQUIRE(admin("/team/new", R"({"team_id":"t-deleted","max_budget":10})") == 200);
  const auto idle = generate_key(gw, R"({"team_id":"t-deleted","max_budget":1})");
  const auto busy = generate_key(gw, R"({"team_id":"t-deleted","max_budget":1})");
  const auto first = http_request(gw.port(), "POST", "/v1/chat/completions", kChat, bearer(idle));
  REQUIRE(first.status == 200);
  const double first_cost = std::stod(first.header("x-litellm-response-cost"));
  CHECK(owners() == 2);  // idle's and the team's

  // busy's request waits 700 ms on the upstream, holding a reservation on busy's owner.
  auto in_flight = std::async(std::launch::async, [&] {
    return http_request(gw.port(), "POST", "/v1/chat/completions",
                        R"({"model":"slow","messages":[{"role":"user","content":"still there?"}]})", bearer(busy));
  });
  REQUIRE(wait_for_owners(3) == 3);
  REQUIRE(admin("/key/delete", R"({"keys":[")" + busy + R"(",")" + idle + R"("]})") == 200);
  // idle's owner goes at once; busy's waits for its request.
  CHECK(wait_for_owners(2) == 2);
  const auto reply = in_flight.get();
  REQUIRE(reply.status == 200);
  const double busy_cost = std::stod(reply.header("x-litellm-response-cost"));
  REQUIRE(busy_cost > 0);
  CHECK(wait_for_owners(1) == 1);  // the team's alone

  // The request that was in flight is recorded: its spend row, and the team's spend.
  auto store = db.migrated_store();
  const auto [rows, logged] = logged_spend(*store, core::hash_key(busy), 1);
  CHECK(rows == 1);
  CHECK(logged == Approx(busy_cost).epsilon(1e-9));
  double team_spend = 0;
  for (int i = 0; i < 100 && team_spend < first_cost + busy_cost - 1e-12; ++i) {
    std::this_thread::sleep_for(50ms);
    team_spend = store->find_team("t-deleted")->spend;
  }
  CHECK(team_spend == Approx(first_cost + busy_cost).epsilon(1e-9));
  CHECK(http_request(gw.port(), "POST", "/v1/chat/completions", kChat, bearer(busy)).status == 401);
}
