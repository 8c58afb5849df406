// POST /config/reload and SIGHUP: the model list and router settings swapped while requests
// run, refusals that change nothing, the control plane's authorization and its audit rows.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <atomic>
#include <fstream>
#include <set>
#include <thread>

#include "config/config_error.h"
#include "config/load_config.h"
#include "tests/store/store_fixture.h"
#include "tests/support/fixed_environment.h"
#include "tests/support/http_client.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate;
using namespace tollgate::testing;
using namespace std::chrono_literals;

namespace {

// `steady` is in every version of the file; `extra` groups come and go with reloads.
std::string models_yaml(const MockUpstream& mock, const std::vector<std::string>& extra) {
  std::string yaml =
      "model_list:\n"
      "  - model_name: steady\n"
      "    litellm_params: {model: \"openai/steady+latency-30\", api_base: \"" +
      mock.base_url() + "\", api_key: sk-upstream-steady-secret}\n";
  for (const auto& name : extra) {
    yaml += "  - model_name: " + name + "\n    litellm_params: {model: mock/" + name + "}\n";
  }
  return yaml;
}

const std::string kGeneral = "general_settings:\n  max_auth_failures_per_minute: 100000\n";

rapidjson::Document json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

class World {
 public:
  World() : gw_(models_yaml(mock_, {"alpha"}) + kGeneral + db_.gateway_settings(), db_.gateway_env()) {}

  void write_config(const std::string& yaml) const { std::ofstream(gw_.config_path()) << yaml; }
  void write_models(const std::vector<std::string>& extra, const std::string& general = kGeneral) const {
    write_config(models_yaml(mock_, extra) + general + db_.gateway_settings());
  }
  HttpReply reload(const std::string& key) const {
    return http_request(gw_.port(), "POST", "/config/reload", "", bearer(key));
  }
  HttpReply admin_reload() const { return reload(gw_.master_key()); }
  std::set<std::string> models() const {
    std::set<std::string> ids;
    const auto d = json(http_request(gw_.port(), "GET", "/v1/models", "", bearer(gw_.master_key())).body);
    for (const auto& m : d["data"].GetArray()) ids.insert(m["id"].GetString());
    return ids;
  }
  int chat(const std::string& model) const {
    return http_request(gw_.port(), "POST", "/v1/chat/completions",
                        R"({"model":")" + model + R"(","messages":[{"role":"user","content":"hi"}]})",
                        bearer(gw_.master_key()))
        .status;
  }
  // A user of `role` and a key of it.
  std::string key_of_role(const std::string& role) const {
    const auto user = json(
        http_request(gw_.port(), "POST", "/user/new", R"({"user_role":")" + role + R"("})", bearer(gw_.master_key()))
            .body);
    REQUIRE(user.HasMember("user_id"));
    const auto reply =
        http_request(gw_.port(), "POST", "/key/generate",
                     R"({"user_id":")" + std::string(user["user_id"].GetString()) + R"("})", bearer(gw_.master_key()));
    REQUIRE(reply.status == 200);
    std::string key = json(reply.body)["key"].GetString();
    register_secret(key);
    return key;
  }
  const TestGateway& gateway() const { return gw_; }

 private:
  MockUpstream mock_;
  TestDatabase db_{"sqlite"};
  TestGateway gw_;
};

std::string error_type(const HttpReply& reply) {
  const auto d = json(reply.body);
  return d.IsObject() && d.HasMember("error") ? d["error"]["type"].GetString() : "";
}
std::string error_message(const HttpReply& reply) {
  const auto d = json(reply.body);
  return d.IsObject() && d.HasMember("error") ? d["error"]["message"].GetString() : "";
}

}  // namespace

TEST_CASE("config reload: a new model list serves the next request, the old one is gone", "[integration][reload]") {
  World w;
  REQUIRE(w.models() == std::set<std::string>{"steady", "alpha"});
  w.write_models({"beta"});
  const auto reply = w.admin_reload();
  REQUIRE(reply.status == 200);
  const auto body = json(reply.body);
  CHECK(std::string(body["status"].GetString()) == "reloaded");
  CHECK(body["deployments"].GetInt() == 2);
  CHECK(w.models() == std::set<std::string>{"steady", "beta"});
  CHECK(w.chat("beta") == 200);
  CHECK(w.chat("alpha") == 404);  // unknown model now
  CHECK(w.chat("steady") == 200);
}

TEST_CASE("config reload: an invalid file is refused with --check-config's words and the old config stays",
          "[integration][reload]") {
  World w;
  const std::string broken = "model_list:\n  - model_name: a\n    litellm_params: {model: nosuch/x}\n";
  w.write_config(broken);
  std::string check_config_words;
  try {
    config::load_config_file(w.gateway().config_path(), fixed_environment({}));
  } catch (const config::ConfigError& e) {
    check_config_words = e.what();
  }
  REQUIRE_THAT(check_config_words, Catch::Contains("unknown provider 'nosuch'"));
  const auto reply = w.admin_reload();
  CHECK(reply.status == 400);
  CHECK(error_message(reply) == "invalid config: " + check_config_words);
  CHECK(w.models() == std::set<std::string>{"steady", "alpha"});
  CHECK(w.chat("alpha") == 200);
}

TEST_CASE("config reload: a change only a restart applies is refused, naming the section", "[integration][reload]") {
  World w;
  w.write_models({"beta"}, "general_settings:\n  max_auth_failures_per_minute: 7\n");
  const auto reply = w.admin_reload();
  CHECK(reply.status == 400);
  CHECK_THAT(error_message(reply), Catch::Contains("general_settings") && Catch::Contains("Nothing was reloaded"));
  CHECK(w.models() == std::set<std::string>{"steady", "alpha"});
}

TEST_CASE("config reload: proxy_admin only, 401 without a key, the audit log records who reloaded what",
          "[integration][reload][authz]") {
  World w;
  w.write_models({"beta"});
  CHECK(w.reload("").status == 401);
  CHECK(w.reload("sk-not-a-key").status == 401);
  for (const std::string role : {"internal_user", "internal_user_viewer", "proxy_admin_viewer", "org_admin"}) {
    CAPTURE(role);
    const auto refused = w.reload(w.key_of_role(role));
    CHECK(refused.status == 403);
    CHECK(error_type(refused) == "auth_error");
    CHECK(error_message(refused) == "/config/reload requires proxy_admin");
  }
  CHECK(w.models() == std::set<std::string>{"steady", "alpha"});  // none of them reloaded

  const auto admin = w.key_of_role("proxy_admin");
  REQUIRE(w.reload(admin).status == 200);
  CHECK(w.models() == std::set<std::string>{"steady", "beta"});

  const auto port = w.gateway().port();
  CHECK(http_request(port, "GET", "/audit", "", bearer(w.key_of_role("internal_user"))).status == 403);
  const auto viewer_read =
      http_request(port, "GET", "/audit?object_id=model_list", "", bearer(w.key_of_role("proxy_admin_viewer")));
  REQUIRE(viewer_read.status == 200);
  const auto audit = json(viewer_read.body);
  REQUIRE(audit["data"].Size() == 1);
  const auto& row = audit["data"][0];
  CHECK(std::string(row["action"].GetString()) == "reloaded");
  CHECK(std::string(row["table_name"].GetString()) == "config");
  CHECK(row["before_value"]["deployments"].Size() == 2);
  CHECK(std::string(row["updated_values"]["deployments"][1]["model_name"].GetString()) == "beta");
  CHECK(viewer_read.body.find("sk-upstream-steady-secret") == std::string::npos);
  CHECK(viewer_read.body.find("api_base") == std::string::npos);
}

TEST_CASE("config reload: 20 reloads under load drop no request", "[integration][reload][load]") {
  World w;
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&, c] {
      HttpConnection connection(w.gateway().port());
      const std::string body = c % 2 == 0
                                   ? R"({"model":"steady","messages":[{"role":"user","content":"hi"}]})"
                                   : R"({"model":"steady","stream":true,"messages":[{"role":"user","content":"hi"}]})";
      while (!stop.load()) {
        const auto reply = connection.request("POST", "/v1/chat/completions", body, bearer(w.gateway().master_key()));
        (reply.status == 200 ? ok : failed).fetch_add(1);
      }
    });
  }
  for (int i = 0; i < 20; ++i) {
    w.write_models(i % 2 == 0 ? std::vector<std::string>{"beta"} : std::vector<std::string>{"alpha", "gamma"});
    CHECK(w.admin_reload().status == 200);
    std::this_thread::sleep_for(50ms);  // calls to `steady` (30 ms each) span every swap
  }
  stop = true;
  for (auto& t : clients) t.join();
  CHECK(failed.load() == 0);
  CHECK(ok.load() > 40);
  CHECK(w.models() == std::set<std::string>{"steady", "alpha", "gamma"});
}
