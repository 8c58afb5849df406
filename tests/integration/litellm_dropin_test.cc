// LiteLLM's documented request shapes for the management API, sent as its scripts send them
// (issue: LiteLLM drop-in): the fields and statuses LiteLLM's clients read.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "tests/support/http_client.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate::testing;

namespace {

const char* kConfig = R"(
model_list:
  - model_name: gpt-4o-mini
    litellm_params: {model: mock/gpt-4o-mini}
)";

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

class World {
 public:
  World() : gw_(kConfig) {}

  HttpReply post(const std::string& path, const std::string& body, const std::string& key) const {
    return http_request(gw_.port(), "POST", path, body, bearer(key));
  }
  HttpReply get(const std::string& path, const std::string& key) const {
    return http_request(gw_.port(), "GET", path, "", bearer(key));
  }
  rapidjson::Document admin_post(const std::string& path, const std::string& body) const {
    const auto reply = post(path, body, gw_.master_key());
    INFO(path << " " << body << " -> " << reply.body);
    REQUIRE(reply.status == 200);
    return parse(reply.body);
  }
  const std::string& admin() const { return gw_.master_key(); }
  // A key of a new user of `role`.
  std::string key_of(const std::string& user_id, const std::string& role) const {
    const auto user = admin_post("/user/new", R"({"user_id":")" + user_id + R"(","user_role":")" + role + "\"}");
    std::string key = user["key"].GetString();
    register_secret(key);
    return key;
  }

 private:
  TestGateway gw_;
};

bool is_member(const rapidjson::Document& team_info, const std::string& user_id) {
  for (const auto& m : team_info["team_info"]["members_with_roles"].GetArray()) {
    if (m["user_id"].GetString() == user_id) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("LiteLLM drop-in: /user/new with team_id joins the team and returns the user's key",
          "[integration][litellm]") {
  World w;
  w.admin_post("/team/new", R"({"team_id":"t-research"})");
  const auto created = w.admin_post("/user/new", R"({"user_id":"u-new","team_id":"t-research"})");
  REQUIRE(created["key"].IsString());
  register_secret(created["key"].GetString());
  CHECK(created["teams"].Size() == 1);
  CHECK(std::string(created["teams"][0].GetString()) == "t-research");
  CHECK(is_member(parse(w.get("/team/info?team_id=t-research", w.admin()).body), "u-new"));

  // An unknown team is 404 and creates no user; an empty one is 400.
  CHECK(w.post("/user/new", R"({"user_id":"u-lost","team_id":"t-nowhere"})", w.admin()).status == 404);
  CHECK(w.get("/user/info?user_id=u-lost", w.admin()).status == 404);
  CHECK(w.post("/user/new", R"({"user_id":"u-empty","team_id":""})", w.admin()).status == 400);
}

TEST_CASE("LiteLLM drop-in: /user/update of an unknown user id creates it for a proxy_admin only",
          "[integration][litellm]") {
  World w;
  const auto admin_key = w.key_of("u-admin", "proxy_admin");
  const auto reply =
      w.post("/user/update", R"({"user_id":"u-upserted","user_alias":"Fresh","max_budget":3})", admin_key);
  REQUIRE(reply.status == 200);
  const auto body = parse(reply.body);
  CHECK(std::string(body["user_id"].GetString()) == "u-upserted");
  CHECK(std::string(body["user_alias"].GetString()) == "Fresh");
  CHECK(body["max_budget"].GetDouble() == 3);
  CHECK(w.get("/user/info?user_id=u-upserted", w.admin()).status == 200);

  const auto audit = parse(w.get("/audit?object_id=u-upserted", w.admin()).body);
  REQUIRE(audit["data"].Size() >= 1);
  CHECK(std::string(audit["data"][audit["data"].Size() - 1]["action"].GetString()) == "created");

  // Anyone else: 404, and nothing is created.
  const auto org_admin = w.key_of("u-org-admin", "org_admin");
  CHECK(w.post("/user/update", R"({"user_id":"u-not-made","user_alias":"x"})", org_admin).status == 404);
  CHECK(w.get("/user/info?user_id=u-not-made", w.admin()).status == 404);
  // By email alone nothing is created either.
  CHECK(w.post("/user/update", R"({"user_email":"nobody@example.com","user_alias":"x"})", admin_key).status == 404);
}

TEST_CASE("LiteLLM drop-in: /team/new makes its creator a team admin", "[integration][litellm]") {
  World w;
  const auto admin_key = w.key_of("u-team-maker", "proxy_admin");
  const auto reply =
      w.post("/team/new", R"({"team_id":"t-made","members_with_roles":[{"user_id":"u-team-maker","role":"user"}]})",
             admin_key);
  REQUIRE(reply.status == 200);
  const auto info = parse(w.get("/team/info?team_id=t-made", w.admin()).body);
  const auto& members = info["team_info"]["members_with_roles"];
  REQUIRE(members.Size() == 1);  // listed once, as an admin, even when the body said "user"
  CHECK(std::string(members[0]["user_id"].GetString()) == "u-team-maker");
  CHECK(std::string(members[0]["role"].GetString()) == "admin");

  // The master key is no user: its team starts with the members the body lists.
  w.admin_post("/team/new", R"({"team_id":"t-by-master"})");
  CHECK(parse(w.get("/team/info?team_id=t-by-master", w.admin()).body)["team_info"]["members_with_roles"].Empty());
}
