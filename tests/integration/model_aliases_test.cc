// Model aliases through the real gateway: LiteLLM's team `model_aliases` and key `aliases`
// route to their target, show in /v1/models, /team/info and /key/info, and never reach a
// model the team's or organization's list does not allow (core/model_access.h).
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

// alpha and beta are built-in mock models: a mock answer names the model group that answered.
std::string config_for(const TestDatabase& db) {
  return "model_list:\n"
         "  - model_name: alpha\n"
         "    litellm_params: {model: mock/alpha}\n"
         "  - model_name: beta\n"
         "    litellm_params: {model: mock/beta}\n"
         "general_settings:\n"
         "  max_auth_failures_per_minute: 100000\n" +
         db.gateway_settings();
}

rapidjson::Document parse(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str());
  return d;
}

struct Chat {
  int status = 0;
  std::string model;  // the answering model group (mock answers name it)
};

class World {
 public:
  explicit World(const std::string& store = "sqlite") : db_(store), gw_(config_for(db_), db_.gateway_env()) {}

  HttpReply admin(const std::string& method, const std::string& path, const std::string& body = "") const {
    return http_request(gw_.port(), method, path, body, bearer(gw_.master_key()));
  }
  void admin_ok(const std::string& path, const std::string& body) const {
    const auto reply = admin("POST", path, body);
    INFO(path << " " << body << " -> " << reply.body);
    REQUIRE(reply.status == 200);
  }
  std::string key(const std::string& body) const { return issue_key(gw_, body); }
  std::set<std::string> listed(const std::string& key) const {
    const auto reply = http_request(gw_.port(), "GET", "/v1/models", "", bearer(key));
    REQUIRE(reply.status == 200);
    std::set<std::string> ids;
    const auto d = parse(reply.body);
    for (const auto& m : d["data"].GetArray()) ids.insert(m["id"].GetString());
    return ids;
  }
  Chat chat(const std::string& key, const std::string& model) const {
    const auto reply =
        http_request(gw_.port(), "POST", "/v1/chat/completions",
                     R"({"model":")" + model + R"(","messages":[{"role":"user","content":"hi"}]})", bearer(key));
    Chat chat{reply.status, {}};
    const auto d = parse(reply.body);
    if (reply.status == 200 && d.IsObject() && d.HasMember("model")) chat.model = d["model"].GetString();
    return chat;
  }
  const std::string& master_key() const { return gw_.master_key(); }
  int get_model(const std::string& key, const std::string& model) const {
    return http_request(gw_.port(), "GET", "/v1/models/" + model, "", bearer(key)).status;
  }

 private:
  TestDatabase db_;
  TestGateway gw_;
};

using Models = std::set<std::string>;

}  // namespace

TEST_CASE("model aliases: a team's aliases route, list and show in /team/info", "[integration][model_aliases]") {
  for (const std::string store : {"sqlite", "postgresql"}) {
    CAPTURE(store);
    World w(store);
    // LiteLLM's documented request: /team/new with model_aliases, then a team key.
    w.admin_ok("/team/new", R"({"team_id":"t-1","team_alias":"eu","model_aliases":{"cheap-model":"beta"}})");
    const auto key = w.key(R"({"team_id":"t-1"})");

    const auto chat = w.chat(key, "cheap-model");
    CHECK(chat.status == 200);
    CHECK(chat.model == "beta");
    CHECK(w.chat(key, "alpha").model == "alpha");  // other groups by their names, as before
    CHECK(w.listed(key) == Models{"alpha", "beta", "cheap-model"});
    CHECK(w.get_model(key, "cheap-model") == 200);

    const auto info = parse(w.admin("GET", "/team/info?team_id=t-1").body);
    REQUIRE(info.IsObject());
    const auto& team = info["team_info"];
    CHECK(std::string(team["model_aliases"]["cheap-model"].GetString()) == "beta");
    CHECK(std::string(team["litellm_model_table"]["model_aliases"]["cheap-model"].GetString()) == "beta");

    // A key of no team, and the master key, have no aliases.
    CHECK(w.chat(w.key("{}"), "cheap-model").status == 404);
    CHECK(w.chat(w.master_key(), "cheap-model").status == 404);
  }
}

TEST_CASE("model aliases: a key's aliases override its team's and show in /key/info", "[integration][model_aliases]") {
  World w;
  w.admin_ok("/team/new", R"({"team_id":"t-1","model_aliases":{"cheap":"beta","smart":"beta"}})");
  const auto generated = w.admin("POST", "/key/generate", R"({"team_id":"t-1","aliases":{"cheap":"alpha"}})");
  REQUIRE(generated.status == 200);
  const auto body = parse(generated.body);
  CHECK(std::string(body["aliases"]["cheap"].GetString()) == "alpha");  // LiteLLM's /key/generate echo
  const std::string key = body["key"].GetString();
  register_secret(key);

  CHECK(w.chat(key, "cheap").model == "alpha");  // the key's own alias
  CHECK(w.chat(key, "smart").model == "beta");   // the team's, where the key has none
  CHECK(w.listed(key) == Models{"alpha", "beta", "cheap", "smart"});

  const auto info = parse(w.admin("GET", "/key/info?key=" + key).body);
  REQUIRE(info.IsObject());
  CHECK(std::string(info["info"]["aliases"]["cheap"].GetString()) == "alpha");

  // /key/update replaces them; null clears them. The cached key sees each change.
  w.admin_ok("/key/update", R"({"key":")" + key + R"(","aliases":{"cheap":"beta","mine":"alpha"}})");
  CHECK(w.chat(key, "cheap").model == "beta");
  CHECK(w.chat(key, "mine").model == "alpha");
  w.admin_ok("/key/update", R"({"key":")" + key + R"(","aliases":null})");
  CHECK(w.chat(key, "cheap").model == "beta");  // the team's again
  CHECK(w.chat(key, "mine").status == 404);
  // So does a change of the team's.
  w.admin_ok("/team/update", R"({"team_id":"t-1","model_aliases":{"cheap":"alpha"}})");
  CHECK(w.chat(key, "cheap").model == "alpha");
  CHECK(w.chat(key, "smart").status == 404);
}

TEST_CASE("model aliases: an alias is a new name, never a new right", "[integration][model_aliases][model_access]") {
  World w;
  w.admin_ok("/organization/new", R"({"organization_id":"o-1","organization_alias":"O","models":["beta"]})");
  // The team allows beta only; its own alias "cheap" it may grant by name.
  w.admin_ok("/team/new",
             R"({"team_id":"t-beta","models":["beta"],"model_aliases":{"cheap":"beta","sneaky":"alpha"}})");
  w.admin_ok("/team/new", R"({"team_id":"t-named","models":["cheap"],"model_aliases":{"cheap":"beta"}})");
  w.admin_ok("/team/new", R"({"team_id":"t-org","organization_id":"o-1","models":["cheap"],)"
                          R"("model_aliases":{"cheap":"alpha","ok":"beta"}})");

  struct Row {
    const char* key_body;
    Models models;
    Models refused;  // 403 on /v1/chat/completions
  };
  const Row rows[] = {
      // A team alias whose target the team does not allow reaches nothing.
      {R"({"team_id":"t-beta"})", {"beta", "cheap"}, {"alpha", "sneaky"}},
      // A key's alias cannot lead past its team either.
      {R"({"team_id":"t-beta","aliases":{"mine":"alpha"}})", {"beta", "cheap"}, {"alpha", "mine", "sneaky"}},
      // The key's list may name the alias: the alias, not its target, is granted.
      {R"({"team_id":"t-beta","models":["cheap"]})", {"cheap"}, {"alpha", "beta", "sneaky"}},
      // A team grants its own alias by name; that grant is not lent to a key's alias of that name.
      {R"({"team_id":"t-named"})", {"cheap"}, {"alpha", "beta"}},
      {R"({"team_id":"t-named","aliases":{"cheap":"alpha"}})", {}, {"alpha", "beta", "cheap"}},
      // The organization's list bounds the target whatever the team's names.
      {R"({"team_id":"t-org"})", {}, {"alpha", "beta", "cheap", "ok"}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.key_body);
    const auto key = w.key(row.key_body);
    CHECK(w.listed(key) == row.models);
    for (const auto& model : row.models) CHECK(w.chat(key, model).status == 200);
    for (const auto& model : row.refused) {
      CAPTURE(model);
      CHECK(w.chat(key, model).status == 403);
      CHECK(w.get_model(key, model) == 404);
    }
  }
}

TEST_CASE("model aliases: shadowing, missing targets and bad input", "[integration][model_aliases]") {
  World w;
  // LiteLLM's own example shadows a group name: "alpha" now means beta for this team.
  w.admin_ok("/team/new", R"({"team_id":"t-1","model_aliases":{"alpha":"beta","gone":"no-such-group"}})");
  const auto key = w.key(R"({"team_id":"t-1"})");
  CHECK(w.chat(key, "alpha").model == "beta");
  CHECK(w.listed(key) == Models{"alpha", "beta"});  // "alpha" once; "gone" leads nowhere
  const auto gone = w.chat(key, "gone");
  CHECK(gone.status == 404);
  CHECK(w.get_model(key, "gone") == 404);

  for (const std::string bad : {R"("cheap")", R"(["cheap"])", R"({"cheap":1})", R"({"cheap":""})", R"({"":"beta"})"}) {
    CAPTURE(bad);
    const auto team = w.admin("POST", "/team/new", R"({"model_aliases":)" + bad + "}");
    CHECK(team.status == 400);
    CHECK(team.body.find("model_aliases") != std::string::npos);
    const auto generated = w.admin("POST", "/key/generate", R"({"aliases":)" + bad + "}");
    CHECK(generated.status == 400);
    CHECK(generated.body.find("aliases") != std::string::npos);
  }
}
