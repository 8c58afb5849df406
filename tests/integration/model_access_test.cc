// Which models a key reaches, through the real gateway: group names, access groups
// (model_info.access_groups), provider wildcards, "all-team-models", and the team's and
// organization's lists bounding the key's (core/model_access.h holds the whole table).
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <set>

#include "tests/store/store_fixture.h"
#include "tests/support/http_client.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate;
using namespace tollgate::testing;

namespace {

// alpha and beta are built-in mock models; gamma is an OpenAI deployment nobody calls here
// (listing models needs no upstream).
std::string config_for(const TestDatabase& db) {
  return "model_list:\n"
         "  - model_name: alpha\n"
         "    litellm_params: {model: mock/alpha}\n"
         "    model_info: {access_groups: [premium]}\n"
         "  - model_name: beta\n"
         "    litellm_params: {model: mock/beta}\n"
         "  - model_name: gamma\n"
         "    litellm_params: {model: openai/gamma, api_base: \"http://127.0.0.1:9\", api_key: sk-unused}\n"
         "general_settings:\n"
         "  max_auth_failures_per_minute: 100000\n" +
         db.gateway_settings();
}

class World {
 public:
  World() : gw_(config_for(db_), db_.gateway_env()) {}

  void admin_post(const std::string& path, const std::string& body) const {
    const auto reply = http_request(gw_.port(), "POST", path, body, bearer(gw_.master_key()));
    INFO(path << " " << body << " -> " << reply.body);
    REQUIRE(reply.status == 200);
  }
  std::string key(const std::string& body) const {
    const auto reply = http_request(gw_.port(), "POST", "/key/generate", body, bearer(gw_.master_key()));
    REQUIRE(reply.status == 200);
    rapidjson::Document d;
    d.Parse(reply.body.c_str());
    std::string key = d["key"].GetString();
    register_secret(key);
    return key;
  }
  std::set<std::string> listed(const std::string& key) const {
    const auto reply = http_request(gw_.port(), "GET", "/v1/models", "", bearer(key));
    REQUIRE(reply.status == 200);
    rapidjson::Document d;
    d.Parse(reply.body.c_str());
    std::set<std::string> ids;
    for (const auto& m : d["data"].GetArray()) ids.insert(m["id"].GetString());
    return ids;
  }
  int chat(const std::string& key, const std::string& model) const {
    return http_request(gw_.port(), "POST", "/v1/chat/completions",
                        R"({"model":")" + model + R"(","messages":[{"role":"user","content":"hi"}]})", bearer(key))
        .status;
  }
  int get_model(const std::string& key, const std::string& model) const {
    return http_request(gw_.port(), "GET", "/v1/models/" + model, "", bearer(key)).status;
  }

 private:
  TestDatabase db_{"sqlite"};
  TestGateway gw_;
};

using Models = std::set<std::string>;

}  // namespace

TEST_CASE("model access: access groups, wildcards and the team's and organization's bounds",
          "[integration][model_access]") {
  World w;
  w.admin_post("/organization/new", R"({"organization_id":"o-alpha","organization_alias":"A","models":["alpha"]})");
  w.admin_post("/team/new", R"({"team_id":"t-premium","models":["premium"]})");
  w.admin_post("/team/new", R"({"team_id":"t-mock","models":["mock/*"]})");
  w.admin_post("/team/new", R"({"team_id":"t-beta","models":["beta"]})");
  w.admin_post("/team/new", R"({"team_id":"t-open"})");
  w.admin_post("/team/new", R"({"team_id":"t-in-org","organization_id":"o-alpha"})");

  struct Row {
    const char* key_body;
    Models models;
  };
  const Row rows[] = {
      {R"({})", {"alpha", "beta", "gamma"}},
      {R"({"models":["premium"]})", {"alpha"}},
      {R"({"models":["openai/*"]})", {"gamma"}},
      {R"({"models":["mock/*"]})", {"alpha", "beta"}},
      {R"({"team_id":"t-premium"})", {"alpha"}},
      {R"({"team_id":"t-mock","models":["*"]})", {"alpha", "beta"}},
      {R"({"team_id":"t-beta","models":["alpha","gamma"]})", {}},  // the team bounds the key
      {R"({"team_id":"t-beta","models":["all-team-models"]})", {"beta"}},
      {R"({"team_id":"t-open","models":["all-team-models"]})", {"alpha", "beta", "gamma"}},
      {R"({"team_id":"t-in-org","models":["alpha","beta"]})", {"alpha"}},  // so does the organization
  };
  for (const auto& row : rows) {
    CAPTURE(row.key_body);
    const auto key = w.key(row.key_body);
    CHECK(w.listed(key) == row.models);
    for (const std::string model : {"alpha", "beta", "gamma"}) {
      CAPTURE(model);
      const bool allowed = row.models.count(model) == 1;
      CHECK(w.get_model(key, model) == (allowed ? 200 : 404));
      if (!allowed) CHECK(w.chat(key, model) == 403);
    }
    if (row.models.count("alpha") == 1) CHECK(w.chat(key, "alpha") == 200);
  }
}

TEST_CASE("model access: a team's list change reaches its cached keys", "[integration][model_access][changes]") {
  World w;
  w.admin_post("/team/new", R"({"team_id":"t-1","models":["alpha"]})");
  const auto key = w.key(R"({"team_id":"t-1","models":["alpha","beta"]})");
  CHECK(w.chat(key, "alpha") == 200);
  CHECK(w.chat(key, "beta") == 403);  // beyond its team
  w.admin_post("/team/update", R"({"team_id":"t-1","models":["mock/*"]})");
  CHECK(w.chat(key, "beta") == 200);
}
