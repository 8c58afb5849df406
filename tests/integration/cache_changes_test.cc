// Changes reach keys the node has already cached, on the very next request: the store reports
// each committed change and the key cache drops the keys resolved from what changed (a team's
// keys for a team change, an organization's for an organization change, a user's for a user or
// membership change, a hash for a key). Each case first makes a request so that the key is
// cached, then changes something the key depends on through the management API.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <unistd.h>

#include "tests/store/store_fixture.h"
#include "tests/support/http_client.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate;
using namespace tollgate::testing;

namespace {

// Prices chosen so a short request costs a few micro-dollars: max_budget 0.0000001 refuses
// every request (its worst case alone exceeds the budget).
constexpr const char* kTinyBudget = "0.0000001";

std::string config_for(const TestDatabase& db, const MockUpstream& mock) {
  return priced_models_yaml(mock) +
         "general_settings:\n"
         "  max_auth_failures_per_minute: 100000\n" +
         db.gateway_settings();
}

rapidjson::Document json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

struct Answer {
  int status = 0;
  std::string type;  // error.type, when an error
  std::string message;
};

class World {
 public:
  explicit World(const std::string& backend = "sqlite")
      : db_(backend), gw_(config_for(db_, mock_), db_.gateway_env()) {}

  Answer chat(const std::string& key) const {
    const auto reply =
        http_request(gw_.port(), "POST", "/v1/chat/completions",
                     R"({"model":"priced","messages":[{"role":"user","content":"a short question"}]})", bearer(key));
    Answer answer{reply.status, "", ""};
    if (const auto d = json(reply.body); d.IsObject() && d.HasMember("error")) {
      answer.type = d["error"]["type"].GetString();
      answer.message = d["error"]["message"].GetString();
    }
    return answer;
  }
  int get(const std::string& path, const std::string& key) const {
    return http_request(gw_.port(), "GET", path, "", bearer(key)).status;
  }
  // POST as the master key, which must succeed.
  rapidjson::Document admin_post(const std::string& path, const std::string& body) const {
    const auto reply = http_request(gw_.port(), "POST", path, body, bearer(gw_.master_key()));
    INFO(path << " " << body << " -> " << reply.body);
    REQUIRE(reply.status == 200);
    return json(reply.body);
  }
  std::string key(const std::string& body) const {
    const auto d = admin_post("/key/generate", body);
    std::string key = d["key"].GetString();
    register_secret(key);
    return key;
  }
  // A user through /user/new; returns its personal key.
  std::string user(const std::string& body) const {
    const auto d = admin_post("/user/new", body);
    std::string key = d["key"].GetString();
    register_secret(key);
    return key;
  }

 private:
  TestDatabase db_;
  MockUpstream mock_;
  TestGateway gw_;
};

bool refused_for_budget(const Answer& answer) { return answer.status == 429 && answer.type == "budget_exceeded"; }

// Sets a tiny max_budget through `path` (`id` names the entity, e.g. "team_id":"t-1"), then
// clears it: the cached `key` must follow both ways on its next request.
void check_budget_reaches(const World& w, const std::string& key, const std::string& path, const std::string& id) {
  w.admin_post(path, "{" + id + R"(,"max_budget":)" + kTinyBudget + "}");
  CHECK(refused_for_budget(w.chat(key)));
  w.admin_post(path, "{" + id + R"(,"max_budget":null})");
  CHECK(w.chat(key).status == 200);
}

}  // namespace

TEMPLATE_TEST_CASE("a team's budget and models reach its keys already cached", "[integration][management][changes]",
                   Sqlite, PostgreSQL) {
  World w(TestType::name);
  w.admin_post("/team/new", R"({"team_id":"t-1"})");
  w.admin_post("/team/new", R"({"team_id":"t-2"})");
  const auto key = w.key(R"({"team_id":"t-1"})");
  const auto other = w.key(R"({"team_id":"t-2"})");
  REQUIRE(w.chat(key).status == 200);  // cached now
  REQUIRE(w.chat(other).status == 200);

  w.admin_post("/team/update", std::string(R"({"team_id":"t-1","max_budget":)") + kTinyBudget + "}");
  CHECK(refused_for_budget(w.chat(key)));
  CHECK(w.chat(other).status == 200);  // another team's key is untouched
  w.admin_post("/team/update", R"({"team_id":"t-1","max_budget":null})");
  CHECK(w.chat(key).status == 200);

  w.admin_post("/team/update", R"({"team_id":"t-1","models":["other"]})");
  CHECK(w.chat(key).status == 403);
  w.admin_post("/team/update", R"({"team_id":"t-1","models":[]})");
  CHECK(w.chat(key).status == 200);
}

TEST_CASE("an organization's budget reaches its teams' keys already cached", "[integration][management][changes]") {
  World w;
  w.admin_post("/organization/new", R"({"organization_id":"o-1","organization_alias":"O1"})");
  w.admin_post("/team/new", R"({"team_id":"t-1","organization_id":"o-1"})");
  const auto key = w.key(R"({"team_id":"t-1"})");
  REQUIRE(w.chat(key).status == 200);

  check_budget_reaches(w, key, "/organization/update", R"("organization_id":"o-1")");
}

TEST_CASE("deleting an organization lifts its budget from its users' keys already cached",
          "[integration][management][changes]") {
  World w;
  w.admin_post("/organization/new",
               std::string(R"({"organization_id":"o-1","organization_alias":"O1","max_budget":)") + kTinyBudget + "}");
  const auto key = w.user(R"({"user_id":"u-1","organization_id":"o-1"})");
  REQUIRE(refused_for_budget(w.chat(key)));  // cached with its organization
  w.admin_post("/organization/delete", R"({"organization_ids":["o-1"]})");
  CHECK(w.chat(key).status == 200);
}

TEST_CASE("a user's budget reaches its personal key already cached", "[integration][management][changes]") {
  World w;
  const auto key = w.user(R"({"user_id":"u-1"})");
  REQUIRE(w.chat(key).status == 200);
  check_budget_reaches(w, key, "/user/update", R"("user_id":"u-1")");
}

TEST_CASE("a user created after its key: the key cached without a user takes the user's budget at once",
          "[integration][management][changes]") {
  World w;
  const auto key = w.key(R"({"user_id":"u-later"})");
  REQUIRE(w.chat(key).status == 200);
  w.admin_post("/user/new",
               std::string(R"({"user_id":"u-later","auto_create_key":false,"max_budget":)") + kTinyBudget + "}");
  CHECK(refused_for_budget(w.chat(key)));
}

TEST_CASE("a key created with a cleartext just refused as unknown works at once",
          "[integration][management][changes]") {
  World w;
  const std::string cleartext = "sk-custom-" + std::to_string(getpid()) + "-cache-changes";
  register_secret(cleartext);
  REQUIRE(w.chat(cleartext).status == 401);  // remembered as unknown
  w.admin_post("/key/generate", R"({"key":")" + cleartext + R"("})");
  CHECK(w.chat(cleartext).status == 200);
}

TEST_CASE("organization and team memberships reach the member's key already cached",
          "[integration][management][changes]") {
  World w;
  w.admin_post("/organization/new", R"({"organization_id":"o-1","organization_alias":"O1"})");
  w.admin_post("/team/new", R"({"team_id":"t-1","organization_id":"o-1"})");
  const auto org_admin = w.user(R"({"user_id":"u-admin","user_role":"org_admin"})");
  const auto member = w.user(R"({"user_id":"u-member"})");
  REQUIRE(w.get("/team/info?team_id=t-1", org_admin) == 404);  // cached: administers no organization
  REQUIRE(w.get("/team/info?team_id=t-1", member) == 404);     // cached: in no team

  w.admin_post("/organization/member_add",
               R"({"organization_id":"o-1","member":{"user_id":"u-admin","role":"org_admin"}})");
  CHECK(w.get("/team/info?team_id=t-1", org_admin) == 200);
  w.admin_post("/team/member_add", R"({"team_id":"t-1","member":{"user_id":"u-member"}})");
  CHECK(w.get("/team/info?team_id=t-1", member) == 200);

  w.admin_post("/organization/member_delete", R"({"organization_id":"o-1","user_id":"u-admin"})");
  CHECK(w.get("/team/info?team_id=t-1", org_admin) == 404);
  w.admin_post("/team/member_delete", R"({"team_id":"t-1","user_id":"u-member"})");
  CHECK(w.get("/team/info?team_id=t-1", member) == 404);
}

// A shared budget (/budget/new) linked by budget_id: its limits apply to the key or organization
// where its own are unset, and /budget/update reaches every key cached with it.
TEMPLATE_TEST_CASE("/budget/update reaches the cached keys of a key and an organization linking the budget",
                   "[integration][management][changes][linked]", Sqlite, PostgreSQL) {
  World w(TestType::name);
  w.admin_post("/budget/new", R"({"budget_id":"b-1","max_budget":10})");
  w.admin_post("/organization/new", R"({"organization_id":"o-1","organization_alias":"O1","budget_id":"b-1"})");
  w.admin_post("/team/new", R"({"team_id":"t-1","organization_id":"o-1"})");
  const auto linked_key = w.key(R"({"budget_id":"b-1"})");
  const auto team_key = w.key(R"({"team_id":"t-1"})");  // its team's organization links b-1
  const auto other = w.key("{}");
  REQUIRE(w.chat(linked_key).status == 200);  // all cached now
  REQUIRE(w.chat(team_key).status == 200);
  REQUIRE(w.chat(other).status == 200);

  w.admin_post("/budget/update", std::string(R"({"budget_id":"b-1","max_budget":)") + kTinyBudget + "}");
  CHECK(refused_for_budget(w.chat(linked_key)));
  const auto team_refusal = w.chat(team_key);
  CHECK(refused_for_budget(team_refusal));
  CHECK_THAT(team_refusal.message, Catch::Contains("Organization=O1"));  // the organization's stop refused
  CHECK(w.chat(other).status == 200);

  w.admin_post("/budget/update", R"({"budget_id":"b-1","max_budget":10})");  // raised again
  CHECK(w.chat(linked_key).status == 200);
  CHECK(w.chat(team_key).status == 200);

  // Unlinked, the budget no longer applies, and it can be deleted (409 while still linked).
  w.admin_post("/budget/update", std::string(R"({"budget_id":"b-1","max_budget":)") + kTinyBudget + "}");
  w.admin_post("/key/update", R"({"key":")" + linked_key + R"(","budget_id":null})");
  CHECK(w.chat(linked_key).status == 200);
  CHECK(refused_for_budget(w.chat(team_key)));
  w.admin_post("/organization/update", R"({"organization_id":"o-1","budget_id":null})");
  CHECK(w.chat(team_key).status == 200);
  w.admin_post("/budget/delete", R"({"id":"b-1"})");
  CHECK(w.chat(linked_key).status == 200);
}

TEST_CASE("an organization's own max_budget wins over its linked budget's",
          "[integration][management][changes][linked]") {
  World w;
  w.admin_post("/budget/new", std::string(R"({"budget_id":"tiny","max_budget":)") + kTinyBudget + "}");
  w.admin_post("/organization/new",
               R"({"organization_id":"o-1","organization_alias":"O1","budget_id":"tiny","max_budget":10})");
  w.admin_post("/team/new", R"({"team_id":"t-1","organization_id":"o-1"})");
  const auto key = w.key(R"({"team_id":"t-1"})");
  REQUIRE(w.chat(key).status == 200);
  w.admin_post("/organization/update", R"({"organization_id":"o-1","max_budget":null})");  // the budget's applies
  CHECK(refused_for_budget(w.chat(key)));
}
