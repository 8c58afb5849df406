// The `tollgate` binary as users run it: config errors, start-up, SIGTERM, SIGKILL.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "core/key_hash.h"
#include "persistence/migrations.h"
#include "persistence/store.h"
#include "tests/store/store_fixture.h"
#include "tests/support/http_client.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"
#include "tests/support/tollgate_process.h"

using namespace tollgate::testing;
using namespace std::chrono_literals;

TEST_CASE("an invalid config stops start-up naming file, key path and problem", "[integration][process]") {
  auto p = spawn_tollgate("model_list:\n  - model_name: a\n    litellm_params: {model: nosuch/x}\n");
  CHECK(wait_exit(p.pid, 5s) == 2);
  CHECK_THAT(p.err(), Catch::Contains("config.yaml: model_list[0].litellm_params.model: unknown provider 'nosuch'"));
}

TEST_CASE("a key configuring protection Tollgate lacks stops start-up and --check-config", "[integration][process]") {
  const std::string config = "general_settings:\n  custom_auth: custom_auth.user_api_key_auth\n";
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{}, std::vector<std::string>{"--check-config"}}) {
    auto p = spawn_tollgate(config, {}, args);
    CHECK(wait_exit(p.pid, 5s) == 2);
    CHECK_THAT(p.err(), Catch::Contains("config.yaml: general_settings.custom_auth: custom authentication hooks are "
                                        "not implemented; Tollgate refuses to start"));
  }
}

TEST_CASE("tollgate --check-config prints each warning of an accepted config", "[integration][process]") {
  auto p = spawn_tollgate("litellm_settings:\n  drop_params: true\n", {}, {"--check-config"});
  CHECK(wait_exit(p.pid, 5s) == 0);
  CHECK_THAT(p.out(), Catch::Contains("warning: ") && Catch::Contains("config.yaml: litellm_settings.drop_params: ") &&
                          Catch::Contains("(0 deployments, 1 warnings)"));
}

TEST_CASE("SIGTERM drains and exits 0 and the generated master key is printed but never logged",
          "[integration][process]") {
  auto p = spawn_tollgate("model_list:\n  - model_name: m\n    litellm_params: {model: mock/m}\n");
  const auto port = wait_for_port(p);
  const auto out = p.out();
  const auto at = out.find("master key (generated, shown once): ");
  REQUIRE(at != std::string::npos);
  const auto key = out.substr(at + 36, out.find('\n', at) - at - 36);
  register_secret(key);
  CHECK(http_request(port, "POST", "/v1/chat/completions",
                     R"({"model":"m","messages":[{"role":"user","content":"x"}]})", bearer(key))
            .status == 200);
  kill(p.pid, SIGTERM);
  CHECK(wait_exit(p.pid, 10s) == 0);
  const auto err = p.err();
  CHECK_THAT(err, Catch::Contains(R"("event":"shutdown_complete","clean":true)"));
  CHECK(err.find(key) == std::string::npos);
  CHECK(err.find("sk-") == std::string::npos);
}

TEST_CASE("SIGHUP reloads the model list, a refused reload keeps the running one", "[integration][process][reload]") {
  const std::string key = "sk-process-sighup-key-" + std::to_string(getpid());
  register_secret(key);
  auto p = spawn_tollgate("model_list:\n  - model_name: before\n    litellm_params: {model: mock/m}\n",
                          {"TOLLGATE_MASTER_KEY=" + key});
  const auto port = wait_for_port(p);
  auto models = [&] { return http_request(port, "GET", "/v1/models", "", bearer(key)).body; };
  REQUIRE_THAT(models(), Catch::Contains(R"("id":"before")"));

  std::ofstream(p.dir + "/config.yaml") << "model_list:\n  - model_name: after\n    litellm_params: {model: mock/m}\n";
  kill(p.pid, SIGHUP);
  for (int i = 0; i < 100 && models().find(R"("id":"after")") == std::string::npos; ++i)
    std::this_thread::sleep_for(50ms);
  CHECK_THAT(models(), Catch::Contains(R"("id":"after")") && !Catch::Contains(R"("id":"before")"));

  std::ofstream(p.dir + "/config.yaml")
      << "model_list:\n  - model_name: broken\n    litellm_params: {model: nosuch/x}\n";
  kill(p.pid, SIGHUP);
  for (int i = 0; i < 100 && p.err().find("config not reloaded") == std::string::npos; ++i) {
    std::this_thread::sleep_for(50ms);
  }
  CHECK_THAT(p.err(),
             Catch::Contains("config not reloaded: invalid config: ") && Catch::Contains("unknown provider 'nosuch'"));
  CHECK_THAT(models(), Catch::Contains(R"("id":"after")"));
  kill(p.pid, SIGTERM);
  CHECK(wait_exit(p.pid, 10s) == 0);
}

TEST_CASE("the master key from the environment is used and stays out of the logs", "[integration][process]") {
  const std::string key = "sk-process-env-key-" + std::to_string(getpid());
  register_secret(key);
  auto p = spawn_tollgate("model_list:\n  - model_name: m\n    litellm_params: {model: mock/m}\n",
                          {"TOLLGATE_MASTER_KEY=" + key});
  const auto port = wait_for_port(p);
  CHECK(p.out().find("generated") == std::string::npos);
  CHECK(http_request(port, "GET", "/v1/models", "", bearer(key)).status == 200);
  CHECK(http_request(port, "GET", "/v1/models", "", bearer(key + "x")).status == 401);
  kill(p.pid, SIGINT);
  CHECK(wait_exit(p.pid, 10s) == 0);
  CHECK(p.err().find(key) == std::string::npos);
}

namespace {

// The config of a gateway whose spend writer cannot have flushed when it is killed: an hour
// between batches, a priced mock model, the journal in `journal_dir`.
std::string unflushed_config(const TestDatabase& db, const std::string& journal_dir) {
  return "model_list:\n"
         "  - model_name: m\n"
         "    litellm_params: {model: mock/m}\n"
         "    model_info: {input_cost_per_token: 0.000001, output_cost_per_token: 0.000002}\n"
         "general_settings:\n"
         "  proxy_batch_write_at: 3600\n"
         "  spend_journal_path: " +
         journal_dir + "\n" + db.gateway_settings();
}

std::vector<std::string> env_of(const TestDatabase& db, const std::string& master_key) {
  std::vector<std::string> env = {"TOLLGATE_MASTER_KEY=" + master_key};
  for (const auto& [name, value] : db.gateway_env()) env.push_back(name + "=" + value);
  return env;
}

void kill_hard(const TollgateProcess& p) {
  kill(p.pid, SIGKILL);
  CHECK(wait_exit(p.pid, 10s) == 128 + SIGKILL);
}

struct StoredSpend {
  double key_spend = 0;
  double logged = 0;
  std::size_t rows = 0;
};

StoredSpend stored_spend(const TestDatabase& db, const std::string& key) {
  auto store = db.open_store();
  const auto hash = tollgate::core::hash_key(key);
  StoredSpend s;
  s.key_spend = store->entity_spend(tollgate::persistence::EntityKind::key, hash).value_or(-1);
  tollgate::persistence::SpendLogFilter filter;
  filter.api_key = hash;
  for (const auto& row : store->spend_logs(filter, 100'000)) {
    s.logged += row.spend;
    ++s.rows;
  }
  return s;
}

}  // namespace

TEMPLATE_TEST_CASE("a database a newer Tollgate migrated stops start-up with a clear message (no downgrades)",
                   "[integration][process][migrations]", Sqlite, PostgreSQL) {
  TestDatabase db(TestType::name);
  auto newer = tollgate::persistence::embedded_migrations();
  const int future = newer.back().version + 1;
  newer.push_back(
      tollgate::persistence::Migration{future, "from_the_future", "CREATE TABLE future_table (a INTEGER);"});
  {
    auto connection = db.open_connection();
    REQUIRE(tollgate::persistence::migrate(*connection, newer).to_version == future);
  }
  auto p = spawn_tollgate("general_settings:\n  max_auth_failures_per_minute: 100\n" + db.gateway_settings(),
                          env_of(db, "sk-downgrade-master"));
  CHECK(wait_exit(p.pid, 10s) == 1);
  CHECK_THAT(p.err(), Catch::Contains("schema is version " + std::to_string(future)));
  CHECK_THAT(p.err(), Catch::Contains("downgrades are not supported"));
}

TEMPLATE_TEST_CASE("SIGKILL before the spend writer flushed loses no spend: the journal is replayed at restart, once",
                   "[integration][process][journal]", Sqlite, PostgreSQL) {
  TestDatabase db(TestType::name);
  const std::string master = "sk-journal-master-" + std::to_string(getpid());
  register_secret(master);
  const auto config = unflushed_config(db, temp_dir() + "/spend-journal");
  const auto env = env_of(db, master);

  auto first = spawn_tollgate(config, env);
  auto port = wait_for_port(first);
  const auto created = http_request(port, "POST", "/key/generate", "{}", bearer(master));
  REQUIRE(created.status == 200);
  const auto at = created.body.find("\"key\":\"");
  REQUIRE(at != std::string::npos);
  const auto key = created.body.substr(at + 7, created.body.find('"', at + 7) - at - 7);
  register_secret(key);

  constexpr int kRequests = 25;
  double charged = 0;
  int succeeded = 0;
  for (int i = 0; i < kRequests; ++i) {
    const auto reply = http_request(
        port, "POST", "/v1/chat/completions",
        R"({"model":"m","messages":[{"role":"user","content":"spend )" + std::to_string(i) + R"("}]})", bearer(key));
    if (reply.status != 200) continue;
    charged += std::stod(reply.header("x-litellm-response-cost"));
    ++succeeded;
  }
  REQUIRE(succeeded == kRequests);
  REQUIRE(charged > 0);
  kill_hard(first);
  CHECK(stored_spend(db, key).key_spend == 0);  // the writer never flushed: only the journal has it

  auto second = spawn_tollgate(config, env);
  port = wait_for_port(second);  // serving starts after the replay
  auto after = stored_spend(db, key);
  CHECK(after.key_spend == Approx(charged).epsilon(1e-9));
  CHECK(after.logged == Approx(charged).epsilon(1e-9));
  CHECK(after.rows == static_cast<std::size_t>(kRequests));
  CHECK_THAT(http_request(port, "GET", "/metrics").body,
             Catch::Contains("tollgate_spend_journal_replayed_records_total " + std::to_string(kRequests)));

  kill_hard(second);  // killed again with nothing new: a restart must add nothing
  auto third = spawn_tollgate(config, env);
  wait_for_port(third);
  after = stored_spend(db, key);
  CHECK(after.key_spend == Approx(charged).epsilon(1e-9));
  CHECK(after.rows == static_cast<std::size_t>(kRequests));
  kill(third.pid, SIGTERM);
  CHECK(wait_exit(third.pid, 10s) == 0);
  after = stored_spend(db, key);
  CHECK(after.key_spend == Approx(charged).epsilon(1e-9));
  CHECK(after.rows == static_cast<std::size_t>(kRequests));
}
