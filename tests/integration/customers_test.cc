// End users (LiteLLM's customers): /customer/* and /end_user/* with LiteLLM's documented
// request shapes, spend attributed through `user` and x-litellm-end-user-id, blocked end users
// refused, and end-user budgets enforced exactly, on both stores.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <atomic>
#include <thread>

#include "core/key_hash.h"
#include "persistence/store.h"
#include "tests/store/store_fixture.h"
#include "tests/support/http_client.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate;
using namespace tollgate::testing;
using namespace std::chrono_literals;

namespace {

std::string config_for(const TestDatabase& db, const MockUpstream& mock, const std::string& litellm_settings = "") {
  std::string yaml =
      "model_list:\n"
      "  - model_name: priced\n"
      "    litellm_params: {model: openai/priced-model, api_base: \"" +
      mock.base_url() +
      "\", api_key: sk-upstream-unused}\n"
      "    model_info: {input_cost_per_token: 0.000001, output_cost_per_token: 0.000002, max_output_tokens: 50}\n";
  if (!litellm_settings.empty()) yaml += "litellm_settings:\n" + litellm_settings;
  yaml += "general_settings:\n  max_auth_failures_per_minute: 100000\n";
  return yaml + db.gateway_settings();
}

rapidjson::Document json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

HttpReply as_master(const TestGateway& gw, const std::string& method, const std::string& target,
                    const std::string& body = "") {
  return http_request(gw.port(), method, target, body, bearer(gw.master_key()));
}

std::string generate_key(const TestGateway& gw, const std::string& body = "{}") {
  const auto reply = as_master(gw, "POST", "/key/generate", body);
  REQUIRE(reply.status == 200);
  const auto key = std::string(json(reply.body)["key"].GetString());
  register_secret(key);
  return key;
}

std::string chat_for(const std::string& user) {
  return R"({"model":"priced","user":")" + user + R"(","messages":[{"role":"user","content":"a short question"}]})";
}
const std::string kChatWithoutUser = R"({"model":"priced","messages":[{"role":"user","content":"hi"}]})";

// The end user's stored spend once the writer has flushed `expected` (within a few seconds).
double stored_spend(persistence::Store& store, const std::string& end_user, double expected) {
  double spend = -1;
  for (int i = 0; i < 100; ++i) {
    spend = store.entity_spend(persistence::EntityKind::end_user, end_user).value_or(-1);
    if (spend >= expected - 1e-12) break;
    std::this_thread::sleep_for(50ms);
  }
  return spend;
}

}  // namespace

TEMPLATE_TEST_CASE("customers: LiteLLM's /customer/new, info, update, list, block, unblock, delete",
                   "[integration][customers]", Sqlite, PostgreSQL) {
  TestDatabase db(TestType::name);
  MockUpstream mock;
  TestGateway gw(config_for(db, mock), db.gateway_env());
  REQUIRE(as_master(gw, "POST", "/budget/new", R"({"budget_id":"free_tier","max_budget":0.5})").status == 200);

  // LiteLLM's documented example, with a budget_id.
  auto reply = as_master(gw, "POST", "/customer/new",
                         R"({"user_id":"ishaan-jaff-3","allowed_model_region":"eu","budget_id":"free_tier",)"
                         R"("default_model":"priced"})");
  REQUIRE(reply.status == 200);
  auto body = json(reply.body);
  CHECK(std::string(body["user_id"].GetString()) == "ishaan-jaff-3");
  CHECK(std::string(body["allowed_model_region"].GetString()) == "eu");
  CHECK(std::string(body["default_model"].GetString()) == "priced");
  CHECK(std::string(body["budget_id"].GetString()) == "free_tier");
  CHECK(body["blocked"].GetBool() == false);
  CHECK(body["spend"].GetDouble() == 0);
  REQUIRE(body["litellm_budget_table"].IsObject());
  CHECK(body["litellm_budget_table"]["max_budget"].GetDouble() == 0.5);

  // Inline limits, as LiteLLM's NewCustomerRequest takes them.
  reply = as_master(gw, "POST", "/end_user/new", R"({"user_id":"cust-2","alias":"Acme","max_budget":2,"rpm_limit":5})");
  REQUIRE(reply.status == 200);
  body = json(reply.body);
  CHECK(std::string(body["alias"].GetString()) == "Acme");
  CHECK(body["litellm_budget_table"]["max_budget"].GetDouble() == 2);
  CHECK(body["litellm_budget_table"]["rpm_limit"].GetInt64() == 5);

  reply = as_master(gw, "POST", "/customer/new", R"({"user_id":"cust-2"})");
  CHECK(reply.status == 400);
  body = json(reply.body);
  CHECK(std::string(body["error"]["message"].GetString()) ==
        "Customer already exists, passed user_id=cust-2. Please pass a new user_id.");
  CHECK(std::string(body["error"]["param"].GetString()) == "user_id");
  CHECK(as_master(gw, "POST", "/customer/new", R"({"user_id":"x","default_model":"no-such-model"})").status == 400);
  CHECK(as_master(gw, "POST", "/customer/new", R"({"user_id":"x","budget_id":"no-such-budget"})").status == 400);
  CHECK(as_master(gw, "POST", "/customer/new", R"({"user_id":"x","max_budgt":1})").status == 400);

  reply = as_master(gw, "GET", "/customer/info?end_user_id=cust-2");
  REQUIRE(reply.status == 200);
  CHECK(std::string(json(reply.body)["user_id"].GetString()) == "cust-2");
  reply = as_master(gw, "GET", "/end_user/info?end_user_id=nobody");
  CHECK(reply.status == 404);
  CHECK(std::string(json(reply.body)["error"]["message"].GetString()) == "End User Id=nobody does not exist in db");

  reply = as_master(gw, "POST", "/customer/update", R"({"user_id":"cust-2","max_budget":3,"alias":"Acme Inc"})");
  REQUIRE(reply.status == 200);
  body = json(reply.body);
  CHECK(body["max_budget"].GetDouble() == 3);
  CHECK(std::string(body["alias"].GetString()) == "Acme Inc");
  CHECK(as_master(gw, "POST", "/customer/update", R"({"user_id":"nobody","max_budget":3})").status == 404);

  reply = as_master(gw, "GET", "/customer/list");
  REQUIRE(reply.status == 200);
  body = json(reply.body);
  REQUIRE(body.IsArray());
  CHECK(body.Size() == 2);

  // /customer/block creates the end users it does not know, blocked (LiteLLM upserts).
  reply = as_master(gw, "POST", "/customer/block", R"({"user_ids":["cust-2","walk-in"]})");
  REQUIRE(reply.status == 200);
  body = json(reply.body);
  REQUIRE(body["blocked_users"].IsArray());
  CHECK(body["blocked_users"].Size() == 2);
  CHECK(body["blocked_users"][1]["blocked"].GetBool());
  CHECK(json(as_master(gw, "GET", "/customer/info?end_user_id=walk-in").body)["blocked"].GetBool());
  reply = as_master(gw, "POST", "/customer/unblock", R"({"user_ids":["walk-in"]})");
  REQUIRE(reply.status == 200);
  CHECK_FALSE(json(as_master(gw, "GET", "/customer/info?end_user_id=walk-in").body)["blocked"].GetBool());

  reply = as_master(gw, "POST", "/customer/delete", R"({"user_ids":["walk-in","nobody"]})");
  CHECK(reply.status == 404);
  CHECK(std::string(json(reply.body)["error"]["message"].GetString()) == "End User Id(s)=nobody do not exist in db");
  reply = as_master(gw, "POST", "/customer/delete", R"({"user_ids":["walk-in"]})");
  REQUIRE(reply.status == 200);
  body = json(reply.body);
  CHECK(body["deleted_customers"].GetInt64() == 1);
  CHECK(std::string(body["message"].GetString()) == "Successfully deleted customers with ids: ['walk-in']");
  CHECK(as_master(gw, "GET", "/customer/info?end_user_id=walk-in").status == 404);

  // Not for internal users (global objects, like budgets).
  const auto key = generate_key(gw);
  CHECK(http_request(gw.port(), "GET", "/customer/list", "", bearer(key)).status == 403);
  CHECK(http_request(gw.port(), "POST", "/customer/new", R"({"user_id":"mine"})", bearer(key)).status == 403);
}

TEMPLATE_TEST_CASE("customers: `user` and x-litellm-end-user-id attribute spend, a blocked end user gets 400",
                   "[integration][customers]", Sqlite, PostgreSQL) {
  TestDatabase db(TestType::name);
  MockUpstream mock;
  TestGateway gw(config_for(db, mock), db.gateway_env());
  const auto key = generate_key(gw);
  auto reply = http_request(gw.port(), "POST", "/v1/chat/completions", chat_for("cust-a"), bearer(key));
  REQUIRE(reply.status == 200);
  const double cost_a = std::stod(reply.header("x-litellm-response-cost"));
  auto headers = bearer(key);
  headers.emplace_back("x-litellm-end-user-id", "cust-b");
  // The header wins over the body's `user`.
  reply = http_request(gw.port(), "POST", "/v1/chat/completions", chat_for("cust-a"), headers);
  REQUIRE(reply.status == 200);
  const double cost_b = std::stod(reply.header("x-litellm-response-cost"));
  REQUIRE(http_request(gw.port(), "POST", "/v1/chat/completions", kChatWithoutUser, bearer(key)).status == 200);

  auto store = db.migrated_store();
  CHECK(stored_spend(*store, "cust-a", cost_a) == Approx(cost_a).epsilon(1e-9));
  CHECK(stored_spend(*store, "cust-b", cost_b) == Approx(cost_b).epsilon(1e-9));
  persistence::SpendLogFilter filter;
  filter.api_key = core::hash_key(key);
  std::vector<persistence::SpendLogRow> rows;
  for (int i = 0; i < 100 && rows.size() < 3; ++i) {
    rows = store->spend_logs(filter, 10);
    std::this_thread::sleep_for(20ms);
  }
  REQUIRE(rows.size() == 3);
  int a = 0, b = 0, none = 0;
  for (const auto& row : rows) {
    if (row.end_user == std::optional<std::string>("cust-a")) ++a;
    if (row.end_user == std::optional<std::string>("cust-b")) ++b;
    if (!row.end_user) ++none;
  }
  CHECK((a == 1 && b == 1 && none == 1));
  // The spend shows in /customer/info, as LiteLLM's does.
  CHECK(json(as_master(gw, "GET", "/customer/info?end_user_id=cust-a").body)["spend"].GetDouble() ==
        Approx(cost_a).epsilon(1e-9));

  // Blocking takes effect with the next request (the node's cache drops the end user).
  REQUIRE(as_master(gw, "POST", "/customer/block", R"({"user_ids":["cust-a"]})").status == 200);
  reply = http_request(gw.port(), "POST", "/v1/chat/completions", chat_for("cust-a"), bearer(key));
  CHECK(reply.status == 400);
  auto body = json(reply.body);
  CHECK(std::string(body["error"]["message"].GetString()) == "User blocked from making LLM API Calls. User=cust-a");
  CHECK(std::string(body["error"]["type"].GetString()) == "invalid_request_error");
  CHECK(http_request(gw.port(), "POST", "/v1/chat/completions", chat_for("cust-b"), bearer(key)).status == 200);
  REQUIRE(as_master(gw, "POST", "/customer/unblock", R"({"user_ids":["cust-a"]})").status == 200);
  CHECK(http_request(gw.port(), "POST", "/v1/chat/completions", chat_for("cust-a"), bearer(key)).status == 200);

  // An id longer than 256 bytes is refused.
  CHECK(http_request(gw.port(), "POST", "/v1/chat/completions", chat_for(std::string(300, 'x')), bearer(key)).status ==
        400);
}

TEMPLATE_TEST_CASE("customers: 100 concurrent first requests of a new end user never pass its default budget",
                   "[integration][customers][budgets]", Sqlite, PostgreSQL) {
  TestDatabase db(TestType::name);
  MockUpstream mock;
  // LiteLLM's bug: the end user has no row yet, every first request reads spend 0 and passes.
  TestGateway gw(config_for(db, mock, "  max_end_user_budget: 0.0003\n"), db.gateway_env());
  const auto key = generate_key(gw);
  constexpr int kTotal = 100;
  std::atomic<int> next{0}, ok{0}, denied{0}, other{0};
  std::atomic<double> reported{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 25; ++t) {
    threads.emplace_back([&] {
      HttpConnection connection(gw.port());
      for (int i = next++; i < kTotal; i = next++) {
        const auto reply = connection.request("POST", "/v1/chat/completions", chat_for("brand-new"), bearer(key));
        if (reply.status == 200) {
          ++ok;
          const double cost = std::stod(reply.header("x-litellm-response-cost"));
          for (double seen = reported.load(); !reported.compare_exchange_weak(seen, seen + cost);) {
          }
        } else if (reply.status == 429 &&
                   std::string(json(reply.body)["error"]["type"].GetString()) == "budget_exceeded") {
          ++denied;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(other.load() == 0);
  CHECK(ok.load() > 0);
  CHECK(ok.load() + denied.load() == kTotal);
  auto store = db.migrated_store();
  const double spent = stored_spend(*store, "brand-new", reported.load());
  CHECK(spent == Approx(reported.load()).epsilon(1e-9));
  CHECK(spent <= 0.0003);  // overshoot: 0
  WARN("new end user: " << ok.load() << " admitted, " << denied.load() << " denied, spend " << spent);

  // An end user with a budget of its own is held to it; another keeps the default.
  REQUIRE(as_master(gw, "POST", "/customer/new", R"({"user_id":"big","max_budget":100})").status == 200);
  for (int i = 0; i < 5; ++i) {
    CHECK(http_request(gw.port(), "POST", "/v1/chat/completions", chat_for("big"), bearer(key)).status == 200);
  }
  REQUIRE(as_master(gw, "POST", "/customer/update", R"({"user_id":"big","max_budget":0.0000001})").status == 200);
  const auto refused = http_request(gw.port(), "POST", "/v1/chat/completions", chat_for("big"), bearer(key));
  CHECK(refused.status == 429);
  CHECK(std::string(json(refused.body)["error"]["message"].GetString()).find("End User=big") != std::string::npos);
}
