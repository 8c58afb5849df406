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

TEST_CASE("LiteLLM drop-in: an admin's key of no user and no team reads itself and is no service account",
          "[integration][litellm]") {
  World w;
  const auto created = w.admin_post("/key/generate", R"({"key_alias":"program"})");
  const std::string key = created["key"].GetString();
  register_secret(key);
  const std::string hash = created["token"].GetString();
  for (const auto& target : {std::string("/key/info"), "/key/info?key=" + key, "/key/info?key=" + hash}) {
    CAPTURE(target);
    const auto reply = w.get(target, key);
    REQUIRE(reply.status == 200);
    const auto body = parse(reply.body);
    const auto& info = body["info"];
    CHECK(std::string(info["key_alias"].GetString()) == "program");
    CHECK(info["service_account"].GetBool() == false);
  }
  // It sees itself and nothing else, and administers nothing.
  const auto other = w.admin_post("/key/generate", R"({"key_alias":"another"})");
  register_secret(other["key"].GetString());
  CHECK(w.get(std::string("/key/info?key=") + other["token"].GetString(), key).status == 404);
  CHECK(w.post("/team/new", R"({"team_id":"t-by-program"})", key).status == 403);
  CHECK(w.post("/key/generate", "{}", key).status == 403);
  CHECK(w.post("/key/update", R"({"key":")" + hash + R"(","max_budget":100})", key).status == 403);

  // A team key without a user stays a service account: it reads nothing, itself included.
  w.admin_post("/team/new", R"({"team_id":"t-svc"})");
  const auto service = w.admin_post("/key/generate", R"({"team_id":"t-svc"})");
  register_secret(service["key"].GetString());
  CHECK(w.get("/key/info", service["key"].GetString()).status == 403);
}

TEST_CASE("LiteLLM drop-in: key responses carry updated_at and the linked budget as litellm_budget_table",
          "[integration][litellm]") {
  World w;
  w.admin_post("/budget/new", R"({"budget_id":"b-shared","max_budget":9,"rpm_limit":7})");
  const auto generated = w.admin_post("/key/generate", R"({"budget_id":"b-shared","key_alias":"linked"})");
  register_secret(generated["key"].GetString());
  CHECK(generated["updated_at"].IsString());
  CHECK(generated["created_at"].IsString());
  CHECK(generated.HasMember("created_by"));
  REQUIRE(generated["litellm_budget_table"].IsObject());
  CHECK(std::string(generated["litellm_budget_table"]["budget_id"].GetString()) == "b-shared");
  CHECK(generated["litellm_budget_table"]["max_budget"].GetDouble() == 9);

  const std::string hash = generated["token"].GetString();
  const auto info = parse(w.get("/key/info?key=" + hash, w.admin()).body);
  CHECK(info["info"]["updated_at"].IsString());
  CHECK(info["info"]["litellm_budget_table"]["rpm_limit"].GetInt() == 7);
  const auto updated = w.admin_post("/key/update", R"({"key":")" + hash + R"(","key_alias":"renamed"})");
  CHECK(std::string(updated["litellm_budget_table"]["budget_id"].GetString()) == "b-shared");
  const auto listed = parse(w.get("/key/list?return_full_object=true", w.admin()).body);
  REQUIRE(listed["keys"].Size() == 1);
  CHECK(listed["keys"][0]["litellm_budget_table"]["max_budget"].GetDouble() == 9);

  // No budget linked: null, as LiteLLM.
  const auto plain = w.admin_post("/key/generate", "{}");
  register_secret(plain["key"].GetString());
  CHECK(plain["litellm_budget_table"].IsNull());
}

TEST_CASE("LiteLLM drop-in: organizations carry litellm_budget_table", "[integration][litellm]") {
  World w;
  w.admin_post("/budget/new", R"({"budget_id":"b-org","max_budget":100})");
  w.admin_post("/organization/new", R"({"organization_id":"o-linked","organization_alias":"L","budget_id":"b-org"})");
  w.admin_post("/organization/new",
               R"({"organization_id":"o-own","organization_alias":"O","max_budget":5,"tpm_limit":1000})");
  const auto linked = parse(w.get("/organization/info?organization_id=o-linked", w.admin()).body);
  CHECK(std::string(linked["litellm_budget_table"]["budget_id"].GetString()) == "b-org");
  CHECK(linked["litellm_budget_table"]["max_budget"].GetDouble() == 100);
  // Without a linked budget: LiteLLM's shape, from the organization's own limits.
  const auto own = parse(w.get("/organization/info?organization_id=o-own", w.admin()).body);
  CHECK(own["litellm_budget_table"]["budget_id"].IsNull());
  CHECK(own["litellm_budget_table"]["max_budget"].GetDouble() == 5);
  CHECK(own["litellm_budget_table"]["tpm_limit"].GetInt() == 1000);
  const auto list = parse(w.get("/organization/list", w.admin()).body);
  REQUIRE(list.Size() == 2);
  for (const auto& org : list.GetArray()) CHECK(org["litellm_budget_table"].IsObject());
}

TEST_CASE("LiteLLM drop-in: team members carry user_email, member_add and member_delete take either",
          "[integration][litellm]") {
  World w;
  w.admin_post("/user/new", R"({"user_id":"u-mail","user_email":"mail@example.com","auto_create_key":false})");
  w.admin_post("/team/new", R"({"team_id":"t-mail"})");
  w.admin_post("/team/member_add", R"({"team_id":"t-mail","member":{"user_email":"mail@example.com","role":"user"}})");
  const auto info = parse(w.get("/team/info?team_id=t-mail", w.admin()).body);
  const auto& members = info["team_info"]["members_with_roles"];
  REQUIRE(members.Size() == 1);
  CHECK(std::string(members[0]["user_id"].GetString()) == "u-mail");
  CHECK(std::string(members[0]["user_email"].GetString()) == "mail@example.com");
  CHECK(std::string(members[0]["role"].GetString()) == "user");
  const auto listed = parse(w.get("/team/list", w.admin()).body);
  REQUIRE(listed.Size() == 1);
  CHECK(std::string(listed[0]["members_with_roles"][0]["user_email"].GetString()) == "mail@example.com");

  w.admin_post("/team/member_delete", R"({"team_id":"t-mail","user_email":"mail@example.com"})");
  CHECK(parse(w.get("/team/info?team_id=t-mail", w.admin()).body)["team_info"]["members_with_roles"].Empty());
}

TEST_CASE("LiteLLM drop-in: /team/member_update changes a member's role, by user_id or user_email",
          "[integration][litellm]") {
  World w;
  w.admin_post("/user/new", R"({"user_id":"u-up","user_email":"up@example.com","auto_create_key":false})");
  w.admin_post("/user/new", R"({"user_id":"u-out","auto_create_key":false})");
  w.admin_post("/team/new", R"({"team_id":"t-up","members_with_roles":[{"user_id":"u-up","role":"user"}]})");
  const auto updated =
      w.admin_post("/team/member_update", R"({"team_id":"t-up","user_email":"up@example.com","role":"admin"})");
  CHECK(std::string(updated["updated_team_memberships"][0]["role"].GetString()) == "admin");
  auto role_of = [&] {
    return std::string(
        parse(w.get("/team/info?team_id=t-up", w.admin()).body)["team_info"]["members_with_roles"][0]["role"]
            .GetString());
  };
  CHECK(role_of() == "admin");
  w.admin_post("/team/member_update", R"({"team_id":"t-up","user_id":"u-up","role":"user"})");
  CHECK(role_of() == "user");
  CHECK(w.post("/team/member_update", R"({"team_id":"t-up","user_id":"u-out","role":"admin"})", w.admin()).status ==
        404);
  CHECK(w.post("/team/member_update", R"({"team_id":"t-up","user_id":"u-up","role":"owner"})", w.admin()).status ==
        400);
}
