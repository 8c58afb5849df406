// The management API over real loopback HTTP against a real store (SQLite per test; the
// concurrency case also on PostgreSQL when scripts/test provides it): response shapes, 400s
// naming the field, the 403/404 policy of docs/authz.md, all-or-nothing deletes, and that
// changes reach the key cache at once (a deleted or demoted key loses its rights on the
// next request).
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <unistd.h>

#include <functional>
#include <future>
#include <set>

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

const std::string kChat = R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello"}]})";

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? std::string(v.GetString()) : std::string("<not a string>");
}

// The gateway plus the actors of docs/authz.md, each with its own key:
//   org-a: team alpha (team_admin: admin; member: user), team gamma (no members)
//   org-b: team beta (cross_org: user)
//   org_admin administers org-a; outsider belongs nowhere; viewer is a proxy_admin_viewer.
class World {
 public:
  explicit World(std::map<std::string, std::string> env = {}) : gw_(kConfig, std::move(env)) {}

  const std::string& admin() const { return gw_.master_key(); }
  std::uint16_t port() const { return gw_.port(); }

  HttpReply post(const std::string& path, const std::string& body, const std::string& key) const {
    return http_request(gw_.port(), "POST", path, body, bearer(key));
  }
  HttpReply get(const std::string& path, const std::string& key) const {
    return http_request(gw_.port(), "GET", path, "", bearer(key));
  }
  HttpReply send(const std::string& method, const std::string& path, const std::string& body,
                 const std::string& key) const {
    return http_request(gw_.port(), method, path, body, bearer(key));
  }
  int chat(const std::string& key) const { return post("/v1/chat/completions", kChat, key).status; }

  // POST as the master key, which must succeed; returns the parsed answer.
  rapidjson::Document admin_post(const std::string& path, const std::string& body) const {
    const auto reply = post(path, body, admin());
    INFO(path << " " << body << " -> " << reply.body);
    REQUIRE(reply.status == 200);
    return parse(reply.body);
  }

  // A user made by the master key through /user/new; returns its auto-created key.
  std::string user(const std::string& user_id, const std::string& extra = "") const {
    const auto d =
        admin_post("/user/new", R"({"user_id":")" + user_id + "\"" + (extra.empty() ? "" : "," + extra) + "}");
    const auto key = str(d["key"]);
    register_secret(key);
    return key;
  }

  void seed() {
    admin_post("/organization/new", R"({"organization_id":"org-a","organization_alias":"Org A"})");
    admin_post("/organization/new", R"({"organization_id":"org-b","organization_alias":"Org B"})");
    admin_post("/team/new", R"({"team_id":"alpha","team_alias":"Alpha","organization_id":"org-a"})");
    admin_post("/team/new", R"({"team_id":"gamma","organization_id":"org-a"})");
    admin_post("/team/new", R"({"team_id":"beta","organization_id":"org-b"})");
    org_admin = user("u-org-admin", R"("user_role":"org_admin","organization_id":"org-a")");
    team_admin = user("u-team-admin", R"("organization_id":"org-a","teams":["alpha"])");
    admin_post("/team/member_add", R"({"team_id":"alpha","member":{"user_id":"u-team-admin","role":"admin"}})");
    member = user("u-member", R"("organization_id":"org-a","teams":["alpha"])");
    outsider = user("u-outsider");
    cross_org = user("u-cross", R"("organization_id":"org-b","teams":["beta"])");
    viewer = user("u-viewer", R"("user_role":"proxy_admin_viewer")");
  }

  std::string org_admin, team_admin, member, outsider, cross_org, viewer;

 private:
  TestGateway gw_;
};

// Runs `check` against a gateway on SQLite, then on PostgreSQL when scripts/test provides it.
void on_both_stores(const std::function<void(const World&)>& check) {
  SECTION("SQLite") {
    World w;
    check(w);
  }
  SECTION("PostgreSQL") {
    const auto pg = postgres_url();
    if (!pg) {
      WARN("DATABASE_URL is not set (scripts/test sets it): PostgreSQL half skipped");
      return;
    }
    World w({{"DATABASE_URL", *pg}});
    check(w);
  }
}

void check_error(const HttpReply& reply, int status, const char* param = nullptr) {
  INFO(reply.body);
  REQUIRE(reply.status == status);
  const auto d = parse(reply.body);
  REQUIRE(d.IsObject());
  REQUIRE(d.HasMember("error"));
  CHECK(str(d["error"]["message"]).size() > 0);
  if (param) CHECK(str(d["error"]["param"]) == param);
}

std::set<std::string> ids_of(const rapidjson::Value& list, const char* field) {
  std::set<std::string> ids;
  for (const auto& item : list.GetArray()) ids.insert(str(item[field]));
  return ids;
}

}  // namespace

// ---------------------------------------------------------------------------------- teams

TEST_CASE("team endpoints: create, read, list, update, block, members, delete", "[integration][management]") {
  World w;
  w.seed();
  const auto created = w.admin_post("/team/new", R"({"team_alias":"Research","organization_id":"org-a",
      "models":["gpt-4o-mini"],"max_budget":12.5,"budget_duration":"30d","tpm_limit":1000,"rpm_limit":10,
      "max_parallel_requests":2,"metadata":{"cost_center":"r&d"},
      "members_with_roles":[{"user_id":"u-member","role":"admin"}],"tags":["ignored"]})");
  const auto team_id = str(created["team_id"]);
  CHECK(team_id.size() == 36);  // a generated uuid
  CHECK(str(created["team_alias"]) == "Research");
  CHECK(str(created["organization_id"]) == "org-a");
  CHECK(created["max_budget"].GetDouble() == 12.5);
  CHECK(str(created["budget_duration"]) == "30d");
  CHECK(created["budget_reset_at"].IsString());
  CHECK(created["tpm_limit"].GetInt() == 1000);
  CHECK(created["rpm_limit"].GetInt() == 10);
  CHECK(created["max_parallel_requests"].GetInt() == 2);
  CHECK(str(created["metadata"]["cost_center"]) == "r&d");
  CHECK(created["blocked"].GetBool() == false);
  REQUIRE(created["members_with_roles"].Size() == 1);
  CHECK(str(created["members_with_roles"][0]["role"]) == "admin");
  CHECK(str(created["admins"][0]) == "u-member");

  // info: the team, the keys the caller may see, the memberships
  const auto team_key =
      parse(w.post("/key/generate", R"({"team_id":")" + team_id + R"(","user_id":"u-member"})", w.admin()).body);
  register_secret(str(team_key["key"]));
  const auto info_reply = w.get("/team/info?team_id=" + team_id, w.member);
  REQUIRE(info_reply.status == 200);
  const auto info = parse(info_reply.body);
  CHECK(str(info["team_id"]) == team_id);
  CHECK(str(info["team_info"]["team_alias"]) == "Research");
  REQUIRE(info["keys"].Size() == 1);
  CHECK(str(info["keys"][0]["token"]) == str(team_key["token"]));
  REQUIRE(info["team_memberships"].Size() == 1);
  CHECK(str(info["team_memberships"][0]["user_id"]) == "u-member");

  // list: everything for the admin, the caller's teams otherwise, ?organization_id= narrows
  const auto all = parse(w.get("/team/list", w.admin()).body);
  REQUIRE(all.IsArray());
  CHECK(ids_of(all, "team_id") == std::set<std::string>{"alpha", "beta", "gamma", team_id});
  CHECK(ids_of(parse(w.get("/team/list", w.member).body), "team_id") == std::set<std::string>{"alpha", team_id});
  CHECK(ids_of(parse(w.get("/team/list", w.org_admin).body), "team_id") ==
        std::set<std::string>{"alpha", "gamma", team_id});
  CHECK(ids_of(parse(w.get("/team/list?organization_id=org-b", w.admin()).body), "team_id") ==
        std::set<std::string>{"beta"});
  CHECK(parse(w.get("/team/list", w.outsider).body).Size() == 0);

  // update: fields change, null clears
  const auto updated = w.admin_post(
      "/team/update", R"({"team_id":")" + team_id + R"(","team_alias":"Research 2","max_budget":null,"rpm_limit":20})");
  CHECK(str(updated["team_alias"]) == "Research 2");
  CHECK(updated["max_budget"].IsNull());
  CHECK(updated["rpm_limit"].GetInt() == 20);
  CHECK(updated["tpm_limit"].GetInt() == 1000);

  // block / unblock
  CHECK(w.admin_post("/team/block", R"({"team_id":")" + team_id + R"("})")["blocked"].GetBool());
  CHECK_FALSE(w.admin_post("/team/unblock", R"({"team_id":")" + team_id + R"("})")["blocked"].GetBool());

  // members: one object or a list; delete
  const auto added = w.admin_post(
      "/team/member_add",
      R"({"team_id":")" + team_id + R"(","member":[{"user_id":"u-outsider"},{"user_id":"u-later","role":"admin"}]})");
  CHECK(added["members_with_roles"].Size() == 3);
  REQUIRE(added["updated_team_memberships"].Size() == 2);
  CHECK(str(added["updated_team_memberships"][0]["role"]) == "user");
  const auto removed = w.admin_post("/team/member_delete", R"({"team_id":")" + team_id + R"(","user_id":"u-later"})");
  CHECK(removed["members_with_roles"].Size() == 2);
  check_error(w.post("/team/member_delete", R"({"team_id":")" + team_id + R"(","user_id":"u-later"})", w.admin()), 404);

  // delete
  const auto deleted = w.admin_post("/team/delete", R"({"team_ids":[")" + team_id + R"("]})");
  REQUIRE(deleted["deleted_teams"].Size() == 1);
  CHECK(str(deleted["deleted_teams"][0]) == team_id);
  check_error(w.get("/team/info?team_id=" + team_id, w.admin()), 404);
}

TEST_CASE("team endpoints answer malformed requests with 400 naming the field", "[integration][management]") {
  World w;
  w.seed();
  struct Row {
    const char* path;
    std::string body;
    const char* param;
  };
  const Row rows[] = {
      {"/team/new", R"({"team_alias":5})", "team_alias"},
      {"/team/new", R"({"max_budget":"lots"})", "max_budget"},
      {"/team/new", R"({"max_budget":-1})", "max_budget"},
      {"/team/new", R"({"rpm_limit":1.5})", "rpm_limit"},
      {"/team/new", R"({"models":"gpt"})", "models"},
      {"/team/new", R"({"metadata":[1]})", "metadata"},
      {"/team/new", R"({"blocked":"yes"})", "blocked"},
      {"/team/new", R"({"budget_duration":"soon"})", "budget_duration"},
      {"/team/new", R"({"max_budgt":5})", "max_budgt"},
      {"/team/new", R"({"admins":["u-member"]})", "admins"},
      {"/team/new", R"({"members_with_roles":[{"user_id":"u","role":"owner"}]})", "members_with_roles[0].role"},
      {"/team/new", R"({"members_with_roles":[{"role":"user"}]})", "members_with_roles[0].user_id"},
      {"/team/new", R"({"team_id":"alpha"})", "team_id"},  // already exists
      {"/team/update", R"({"team_alias":"x"})", "team_id"},
      {"/team/update", R"({"team_id":"alpha","tpm_limit":"many"})", "tpm_limit"},
      {"/team/delete", R"({})", "team_ids"},
      {"/team/delete", R"({"team_ids":"alpha"})", "team_ids"},
      {"/team/delete", R"({"team_ids":[]})", "team_ids"},
      {"/team/member_add", R"({"team_id":"alpha"})", "member"},
      {"/team/member_add", R"({"team_id":"alpha","member":{"user_id":"u","level":"x"}})", "member.level"},
      {"/team/member_add", R"({"team_id":"alpha","member":{"user_id":7}})", "member.user_id"},
      {"/team/member_delete", R"({"team_id":"alpha"})", "user_id"},
      {"/team/block", R"({"team_id":"alpha","why":"x"})", "why"},
  };
  for (const auto& row : rows) {
    INFO(row.path << " " << row.body);
    check_error(w.post(row.path, row.body, w.admin()), 400, row.param);
  }
  check_error(w.post("/team/new", "{not json", w.admin()), 400);
  check_error(w.get("/team/info", w.admin()), 400, "team_id");
  CHECK(w.get("/team/info?team_id=alpha", w.admin()).status == 200);  // nothing above changed alpha
}

TEST_CASE("team endpoints follow the policy: 403 for what is visible, 404 for what is not",
          "[integration][management]") {
  World w;
  w.seed();
  // /team/new: only admins, and org_admins inside their organization
  check_error(w.post("/team/new", R"({"team_alias":"mine"})", w.outsider), 403);
  check_error(w.post("/team/new", R"({"team_alias":"mine"})", w.member), 403);
  check_error(w.post("/team/new", R"({"team_alias":"mine"})", w.viewer), 403);
  check_error(w.post("/team/new", R"({"team_alias":"mine"})", w.org_admin), 403);
  // an organization the caller may not create teams in: 403 whether it exists or not
  check_error(w.post("/team/new", R"({"organization_id":"org-b"})", w.org_admin), 403);
  check_error(w.post("/team/new", R"({"organization_id":"no-such-org"})", w.org_admin), 403);
  check_error(w.post("/team/new", R"({"organization_id":"no-such-org"})", w.admin()), 404);
  CHECK(w.post("/team/new", R"({"team_id":"delta","organization_id":"org-a"})", w.org_admin).status == 200);

  // reads: members and their org's admins see the team; others get the 404 of a missing team
  CHECK(w.get("/team/info?team_id=alpha", w.member).status == 200);
  CHECK(w.get("/team/info?team_id=alpha", w.org_admin).status == 200);
  CHECK(w.get("/team/info?team_id=alpha", w.viewer).status == 200);
  const auto invisible = w.get("/team/info?team_id=alpha", w.cross_org);
  const auto missing = w.get("/team/info?team_id=no-such-team", w.cross_org);
  check_error(invisible, 404);
  check_error(missing, 404);
  CHECK(parse(invisible.body)["error"]["message"].GetStringLength() > 0);

  // update / block / delete: admins and the team's org_admin
  check_error(w.post("/team/update", R"({"team_id":"alpha","team_alias":"x"})", w.team_admin), 403);
  check_error(w.post("/team/update", R"({"team_id":"alpha","team_alias":"x"})", w.member), 403);
  check_error(w.post("/team/update", R"({"team_id":"alpha","team_alias":"x"})", w.viewer), 403);
  check_error(w.post("/team/update", R"({"team_id":"alpha","team_alias":"x"})", w.cross_org), 404);
  CHECK(w.post("/team/update", R"({"team_id":"alpha","team_alias":"x"})", w.org_admin).status == 200);
  check_error(w.post("/team/update", R"({"team_id":"alpha","organization_id":"org-b"})", w.org_admin), 404);
  check_error(w.post("/team/block", R"({"team_id":"alpha"})", w.team_admin), 403);
  check_error(w.post("/team/delete", R"({"team_ids":["alpha"]})", w.member), 403);
  check_error(w.post("/team/delete", R"({"team_ids":["beta"]})", w.org_admin), 404);

  // members: the team's admin manages them, a plain member may not
  check_error(w.post("/team/member_add", R"({"team_id":"alpha","member":{"user_id":"u-outsider"}})", w.member), 403);
  check_error(w.post("/team/member_add", R"({"team_id":"alpha","member":{"user_id":"u-outsider"}})", w.viewer), 403);
  check_error(w.post("/team/member_add", R"({"team_id":"alpha","member":{"user_id":"u-outsider"}})", w.cross_org), 404);
  // a team admin adds non-admin users of the team's organization, nobody else (docs/authz.md)
  w.user("u-joiner", R"("organization_id":"org-a")");
  w.user("u-org-admin-2", R"("user_role":"org_admin","organization_id":"org-a")");
  CHECK(w.post("/team/member_add", R"({"team_id":"alpha","member":{"user_id":"u-joiner"}})", w.team_admin).status ==
        200);
  check_error(w.post("/team/member_add", R"({"team_id":"alpha","member":{"user_id":"u-outsider"}})", w.team_admin),
              404);
  check_error(w.post("/team/member_add", R"({"team_id":"alpha","member":{"user_id":"u-cross"}})", w.team_admin), 404);
  check_error(w.post("/team/member_add", R"({"team_id":"alpha","member":{"user_id":"no-such-user"}})", w.team_admin),
              404);
  check_error(w.post("/team/member_add", R"({"team_id":"alpha","member":{"user_id":"u-org-admin-2"}})", w.team_admin),
              403);
  CHECK(w.post("/team/member_delete", R"({"team_id":"alpha","user_id":"u-joiner"})", w.org_admin).status == 200);
  check_error(w.post("/team/member_delete", R"({"team_id":"alpha","user_id":"u-team-admin"})", w.member), 403);
  // an email only resolves to a user the caller can see
  check_error(
      w.post("/team/member_add", R"({"team_id":"alpha","member":{"user_email":"nobody@example.com"}})", w.team_admin),
      404);
}

TEST_CASE("team delete is all or nothing and revokes the team's keys at once", "[integration][management]") {
  World w;
  w.seed();
  const auto key = parse(w.post("/key/generate", R"({"team_id":"alpha","user_id":"u-member"})", w.admin()).body);
  const auto cleartext = str(key["key"]);
  register_secret(cleartext);
  REQUIRE(w.chat(cleartext) == 200);  // cached now

  check_error(w.post("/team/delete", R"({"team_ids":["alpha","no-such-team"]})", w.admin()), 404);
  check_error(w.post("/team/delete", R"({"team_ids":["alpha","beta"]})", w.org_admin), 404);  // beta invisible
  CHECK(w.get("/team/info?team_id=alpha", w.admin()).status == 200);
  CHECK(w.chat(cleartext) == 200);

  CHECK(w.post("/team/delete", R"({"team_ids":["alpha","gamma"]})", w.org_admin).status == 200);
  CHECK(w.chat(cleartext) == 401);
  check_error(w.get("/key/info?key=" + str(key["token"]), w.admin()), 404);
  check_error(w.get("/team/info?team_id=gamma", w.admin()), 404);
}

TEST_CASE("a team admin removed from its team loses its rights on the next request", "[integration][management]") {
  World w;
  w.seed();
  w.user("u-joiner", R"("organization_id":"org-a")");
  CHECK(w.post("/team/member_add", R"({"team_id":"alpha","member":{"user_id":"u-joiner"}})", w.team_admin).status ==
        200);
  CHECK(w.post("/team/member_delete", R"({"team_id":"alpha","user_id":"u-team-admin"})", w.admin()).status == 200);
  check_error(w.post("/team/member_add", R"({"team_id":"alpha","member":{"user_id":"u-member"}})", w.team_admin), 404);
  check_error(w.get("/team/info?team_id=alpha", w.team_admin), 404);
}

TEST_CASE("blocking a team stops its keys at once, unblocking restores them", "[integration][management]") {
  World w;
  w.seed();
  const auto key =
      str(parse(w.post("/key/generate", R"({"team_id":"alpha","user_id":"u-member"})", w.admin()).body)["key"]);
  register_secret(key);
  REQUIRE(w.chat(key) == 200);
  w.admin_post("/team/block", R"({"team_id":"alpha"})");
  CHECK(w.chat(key) == 401);
  w.admin_post("/team/unblock", R"({"team_id":"alpha"})");
  CHECK(w.chat(key) == 200);
}

TEST_CASE("moving a team to another organization takes its keys along", "[integration][management]") {
  World w;
  w.seed();
  const auto key = parse(w.post("/key/generate", R"({"team_id":"alpha","user_id":"u-member"})", w.admin()).body);
  register_secret(str(key["key"]));
  const auto token = str(key["token"]);
  CHECK(w.get("/key/info?key=" + token, w.org_admin).status == 200);
  w.admin_post("/team/update", R"({"team_id":"alpha","organization_id":"org-b"})");
  CHECK(str(parse(w.get("/key/info?key=" + token, w.admin()).body)["info"]["organization_id"]) == "org-b");
  check_error(w.get("/key/info?key=" + token, w.org_admin), 404);  // org-a's admin no longer manages it
}

// ---------------------------------------------------------------------------------- users

TEST_CASE("user endpoints: create with a key, read, list, update, delete", "[integration][management]") {
  World w;
  w.seed();
  const auto created = w.admin_post("/user/new", R"({"user_id":"u-new","user_email":"new@example.com",
      "user_alias":"New","teams":["alpha"],"max_budget":5,"budget_duration":"7d","models":["gpt-4o-mini"],
      "tpm_limit":100000,"rpm_limit":10,"max_parallel_requests":3,"metadata":{"dept":"x"},
      "key_alias":"new-key","duration":"30d","send_invite_email":true})");
  const auto key = str(created["key"]);
  register_secret(key);
  CHECK(key.rfind("sk-", 0) == 0);
  CHECK(str(created["user_id"]) == "u-new");
  CHECK(str(created["user_email"]) == "new@example.com");
  CHECK(str(created["user_role"]) == "internal_user");
  CHECK(created["max_budget"].GetDouble() == 5);
  CHECK(created["budget_reset_at"].IsString());
  CHECK(created["expires"].IsString());
  CHECK(str(created["key_alias"]) == "new-key");
  REQUIRE(created["teams"].Size() == 1);
  CHECK(str(created["teams"][0]) == "alpha");
  CHECK(w.chat(key) == 200);

  // the key is like /key/generate's: owned by the user, with the user's models and limits
  const auto key_info = parse(w.get("/key/info", key).body);
  CHECK(str(key_info["info"]["user_id"]) == "u-new");
  CHECK(key_info["info"]["rpm_limit"].GetInt() == 10);

  // auto_create_key: false makes no key
  const auto keyless = w.admin_post("/user/new", R"({"user_id":"u-keyless","auto_create_key":false})");
  CHECK(keyless["key"].IsNull());

  // info: own without user_id; the user, its keys, its teams
  const auto own = parse(w.get("/user/info", key).body);
  CHECK(str(own["user_id"]) == "u-new");
  CHECK(str(own["user_info"]["user_alias"]) == "New");
  REQUIRE(own["keys"].Size() == 1);
  CHECK(str(own["keys"][0]["key_alias"]) == "new-key");
  REQUIRE(own["teams"].Size() == 1);
  CHECK(str(own["teams"][0]["team_id"]) == "alpha");
  CHECK(w.get("/user/info?user_id=u-new", w.admin()).status == 200);
  check_error(w.get("/user/info?user_id=u-member", key), 404);
  check_error(w.get("/user/info?user_id=no-such-user", w.admin()), 404);

  // list with pages and filters
  const auto page = parse(w.get("/user/list?page=1&page_size=3", w.admin()).body);
  CHECK(page["users"].Size() == 3);
  CHECK(page["total"].GetInt() == 8);
  CHECK(page["page"].GetInt() == 1);
  CHECK(page["page_size"].GetInt() == 3);
  CHECK(page["total_pages"].GetInt() == 3);
  CHECK(parse(w.get("/user/list?page=3&page_size=3", w.admin()).body)["users"].Size() == 2);
  CHECK(ids_of(parse(w.get("/user/list?role=org_admin", w.admin()).body)["users"], "user_id") ==
        std::set<std::string>{"u-org-admin"});
  CHECK(ids_of(parse(w.get("/user/list?organization_id=org-b", w.viewer).body)["users"], "user_id") ==
        std::set<std::string>{"u-cross"});
  check_error(w.get("/user/list?page_size=1000", w.admin()), 400, "page_size");

  // update by id or by email; null clears
  const auto updated = w.admin_post("/user/update", R"({"user_id":"u-new","user_alias":"Renamed","max_budget":null})");
  CHECK(str(updated["user_alias"]) == "Renamed");
  CHECK(updated["max_budget"].IsNull());
  CHECK(w.admin_post("/user/update", R"({"user_email":"new@example.com","rpm_limit":99})")["rpm_limit"].GetInt() == 99);

  // delete: all or nothing, and the users' keys stop working at once
  check_error(w.post("/user/delete", R"({"user_ids":["u-new","no-such-user"]})", w.admin()), 404);
  CHECK(w.chat(key) == 200);
  const auto deleted = w.admin_post("/user/delete", R"({"user_ids":["u-new","u-keyless"]})");
  CHECK(deleted["deleted_users"].Size() == 2);
  CHECK(deleted["deleted_keys"].GetInt() == 1);
  CHECK(w.chat(key) == 401);
  check_error(w.get("/user/info?user_id=u-new", w.admin()), 404);
}

TEST_CASE("user endpoints answer malformed requests with 400 naming the field", "[integration][management]") {
  World w;
  w.seed();
  struct Row {
    const char* path;
    std::string body;
    const char* param;
  };
  const Row rows[] = {
      {"/user/new", R"({"user_email":42})", "user_email"},
      {"/user/new", R"({"user_role":"emperor"})", "user_role"},
      {"/user/new", R"({"teams":"alpha"})", "teams"},
      {"/user/new", R"({"auto_create_key":"yes"})", "auto_create_key"},
      {"/user/new", R"({"duration":"forever"})", "duration"},
      {"/user/new", R"({"max_budget":-5})", "max_budget"},
      {"/user/new", R"({"user_nmae":"x"})", "user_nmae"},
      {"/user/new", R"({"user_id":"u-member"})", "user_id"},  // taken
      {"/user/update", R"({"user_alias":"x"})", "user_id"},
      {"/user/update", R"({"user_id":"u-member","tpm_limit":"lots"})", "tpm_limit"},
      {"/user/delete", R"({"user_ids":"u-member"})", "user_ids"},
      {"/user/delete", R"({})", "user_ids"},
  };
  for (const auto& row : rows) {
    INFO(row.path << " " << row.body);
    check_error(w.post(row.path, row.body, w.admin()), 400, row.param);
  }
  w.admin_post("/user/new", R"({"user_id":"u-mail","user_email":"dup@example.com","auto_create_key":false})");
  check_error(w.post("/user/new", R"({"user_email":"dup@example.com"})", w.admin()), 400, "user_email");
  check_error(w.post("/user/update", R"({"user_id":"u-member","user_email":"dup@example.com"})", w.admin()), 400,
              "user_email");
  check_error(w.post("/user/new", R"({"teams":["no-such-team"]})", w.admin()), 404);
  check_error(w.post("/user/new", R"({"organization_id":"no-such-org"})", w.admin()), 404);
  // nothing of the failed calls was written
  CHECK(parse(w.get("/user/list", w.admin()).body)["total"].GetInt() == 7);
}

TEST_CASE("user endpoints follow the policy: only proxy_admins make administrators", "[integration][management]") {
  World w;
  w.seed();
  // org_admins create non-admin users in their organization, with a membership
  const auto made = parse(w.post("/user/new", R"({"user_id":"u-by-org-admin"})", w.org_admin).body);
  REQUIRE(str(made["organization_id"]) == "org-a");
  register_secret(str(made["key"]));
  const auto org = parse(w.get("/organization/info?organization_id=org-a", w.org_admin).body);
  CHECK(ids_of(org["members"], "user_id").count("u-by-org-admin") == 1);
  check_error(w.post("/user/new", R"({"user_role":"proxy_admin"})", w.org_admin), 403);
  check_error(w.post("/user/new", R"({"user_role":"proxy_admin_viewer"})", w.org_admin), 403);
  check_error(w.post("/user/new", R"({"user_role":"org_admin"})", w.org_admin), 403);
  check_error(w.post("/user/new", R"({"organization_id":"org-b"})", w.org_admin), 403);
  check_error(w.post("/user/new", R"({"organization_id":"no-such-org"})", w.org_admin), 403);
  check_error(w.post("/user/new", R"({"teams":["beta"]})", w.org_admin), 404);
  check_error(w.post("/user/new", R"({"user_id":"x"})", w.outsider), 403);
  check_error(w.post("/user/new", R"({"user_id":"x"})", w.team_admin), 403);
  check_error(w.post("/user/new", R"({"user_id":"x"})", w.viewer), 403);
  check_error(w.post("/user/new", R"({"user_id":"x","user_role":"proxy_admin"})", w.member), 403);

  // reads
  CHECK(w.get("/user/info?user_id=u-member", w.org_admin).status == 200);
  CHECK(w.get("/user/info?user_id=u-member", w.viewer).status == 200);
  check_error(w.get("/user/info?user_id=u-cross", w.org_admin), 404);
  check_error(w.get("/user/info?user_id=u-member", w.team_admin), 404);
  CHECK(ids_of(parse(w.get("/user/list", w.outsider).body)["users"], "user_id") == std::set<std::string>{"u-outsider"});
  CHECK(ids_of(parse(w.get("/user/list", w.org_admin).body)["users"], "user_id") ==
        std::set<std::string>{"u-org-admin", "u-team-admin", "u-member", "u-by-org-admin"});

  // updates: role changes follow the same rule; users cannot raise their own limits
  check_error(w.post("/user/update", R"({"user_id":"u-member","user_role":"org_admin"})", w.org_admin), 403);
  check_error(w.post("/user/update", R"({"user_id":"u-member","user_role":"proxy_admin"})", w.org_admin), 403);
  CHECK(w.post("/user/update", R"({"user_id":"u-member","user_role":"internal_user_viewer"})", w.org_admin).status ==
        200);
  check_error(w.post("/user/update", R"({"user_id":"u-org-admin","max_budget":100})", w.org_admin), 403);
  check_error(w.post("/user/update", R"({"user_id":"u-outsider","max_budget":100})", w.outsider), 403);
  check_error(w.post("/user/update", R"({"user_id":"u-cross","max_budget":1})", w.org_admin), 404);
  check_error(w.post("/user/update", R"({"user_id":"u-member","max_budget":1})", w.viewer), 403);
  CHECK(w.post("/user/update", R"({"user_id":"u-member","user_role":"org_admin"})", w.admin()).status == 200);

  // deletes
  check_error(w.post("/user/delete", R"({"user_ids":["u-cross"]})", w.org_admin), 404);
  check_error(w.post("/user/delete", R"({"user_ids":["u-outsider"]})", w.outsider), 403);
  check_error(w.post("/user/delete", R"({"user_ids":["u-by-org-admin","u-cross"]})", w.org_admin), 404);
  CHECK(w.post("/user/delete", R"({"user_ids":["u-by-org-admin"]})", w.org_admin).status == 200);
}

TEST_CASE("a role change reaches the user's keys at once", "[integration][management]") {
  World w;
  w.seed();
  CHECK(w.get("/user/info?user_id=u-member", w.outsider).status == 404);
  w.admin_post("/user/update", R"({"user_id":"u-outsider","user_role":"proxy_admin_viewer"})");
  CHECK(w.get("/user/info?user_id=u-member", w.outsider).status == 200);
  w.admin_post("/user/update", R"({"user_id":"u-outsider","user_role":"internal_user"})");
  CHECK(w.get("/user/info?user_id=u-member", w.outsider).status == 404);
}

// ---------------------------------------------------------------------------------- organizations

TEST_CASE("organization endpoints: create, read, list, update, members, delete", "[integration][management]") {
  World w;
  w.seed();
  const auto created = w.admin_post("/organization/new", R"({"organization_alias":"Org C","models":["gpt-4o-mini"],
      "max_budget":100,"budget_duration":"1mo","tpm_limit":5000,"rpm_limit":50,"max_parallel_requests":4,
      "metadata":{"tier":"gold"},"soft_budget":80})");
  const auto org_id = str(created["organization_id"]);
  CHECK(org_id.size() == 36);
  CHECK(str(created["organization_alias"]) == "Org C");
  CHECK(created["max_budget"].GetDouble() == 100);
  CHECK(created["budget_reset_at"].IsString());
  CHECK(str(created["metadata"]["tier"]) == "gold");
  CHECK(created["members"].Size() == 0);

  // info and list
  const auto info = parse(w.get("/organization/info?organization_id=org-a", w.member).body);
  CHECK(str(info["organization_id"]) == "org-a");
  CHECK(ids_of(info["members"], "user_id") == std::set<std::string>{"u-org-admin", "u-team-admin", "u-member"});
  CHECK(ids_of(parse(w.get("/organization/list", w.admin()).body), "organization_id") ==
        std::set<std::string>{"org-a", "org-b", org_id});
  CHECK(ids_of(parse(w.get("/organization/list", w.org_admin).body), "organization_id") ==
        std::set<std::string>{"org-a"});
  CHECK(parse(w.get("/organization/list", w.outsider).body).Size() == 0);
  check_error(w.get("/organization/info?organization_id=org-a", w.cross_org), 404);
  check_error(w.get("/organization/info", w.admin()), 400, "organization_id");

  // update: POST and PATCH
  CHECK(str(w.admin_post("/organization/update", R"({"organization_id":")" + org_id +
                                                     R"(","organization_alias":"C2"})")["organization_alias"]) == "C2");
  const auto patched =
      w.send("PATCH", "/organization/update", R"({"organization_id":")" + org_id + R"(","rpm_limit":null})", w.admin());
  REQUIRE(patched.status == 200);
  CHECK(parse(patched.body)["rpm_limit"].IsNull());
  CHECK(w.post("/organization/update", R"({"organization_id":"org-a","metadata":{"a":1}})", w.org_admin).status == 200);

  // members
  w.user("u-joiner");
  const auto added =
      w.admin_post("/organization/member_add",
                   R"({"organization_id":")" + org_id +
                       R"(","member":[{"user_id":"u-joiner","role":"org_admin"},{"user_id":"u-future"}]})");
  CHECK(str(added["organization_id"]) == org_id);
  CHECK(added["updated_users"].Size() == 1);  // u-future does not exist yet
  REQUIRE(added["updated_organization_memberships"].Size() == 2);
  CHECK(str(added["updated_organization_memberships"][1]["user_role"]) == "internal_user");
  const auto removed =
      w.admin_post("/organization/member_delete", R"({"organization_id":")" + org_id + R"(","user_id":"u-future"})");
  CHECK(str(removed["user_id"]) == "u-future");
  check_error(w.post("/organization/member_delete", R"({"organization_id":")" + org_id + R"(","user_id":"u-future"})",
                     w.admin()),
              404);

  // delete: 409 while teams exist, all or nothing, POST and DELETE
  const auto conflict = w.post("/organization/delete", R"({"organization_ids":["org-a"]})", w.admin());
  check_error(conflict, 409);
  CHECK_THAT(conflict.body, Catch::Contains("still has teams"));
  check_error(w.post("/organization/delete", R"({"organization_ids":[")" + org_id + R"(","no-such-org"]})", w.admin()),
              404);
  CHECK(w.get("/organization/info?organization_id=" + org_id, w.admin()).status == 200);
  const auto deleted =
      w.send("DELETE", "/organization/delete", R"({"organization_ids":[")" + org_id + R"("]})", w.admin());
  REQUIRE(deleted.status == 200);
  CHECK(str(parse(deleted.body)[0]["organization_id"]) == org_id);
  check_error(w.get("/organization/info?organization_id=" + org_id, w.admin()), 404);
}

TEST_CASE("organization endpoints: 400s, and the policy for creating and membership", "[integration][management]") {
  World w;
  w.seed();
  check_error(w.post("/organization/new", R"({})", w.admin()), 400, "organization_alias");
  check_error(w.post("/organization/new", R"({"organization_alias":7})", w.admin()), 400, "organization_alias");
  check_error(w.post("/organization/new", R"({"organization_alias":"x","blocked":true})", w.admin()), 400, "blocked");
  check_error(w.post("/organization/new", R"({"organization_alias":"x","organization_id":"org-a"})", w.admin()), 400,
              "organization_id");
  check_error(w.post("/organization/new", R"({"organization_alias":"x","budget_id":"no-such-budget"})", w.admin()),
              404);
  check_error(w.post("/organization/update", R"({"organization_alias":"x"})", w.admin()), 400, "organization_id");
  check_error(w.post("/organization/delete", R"({"organization_ids":[1]})", w.admin()), 400, "organization_ids");
  check_error(w.post("/organization/member_add",
                     R"({"organization_id":"org-a","member":{"user_id":"u","role":"king"}})", w.admin()),
              400, "member.role");

  check_error(w.post("/organization/new", R"({"organization_alias":"mine"})", w.outsider), 403);
  check_error(w.post("/organization/new", R"({"organization_alias":"mine"})", w.org_admin), 403);
  check_error(w.post("/organization/new", R"({"organization_alias":"mine"})", w.viewer), 403);
  check_error(w.post("/organization/update", R"({"organization_id":"org-a","organization_alias":"x"})", w.member), 403);
  check_error(w.post("/organization/update", R"({"organization_id":"org-b","organization_alias":"x"})", w.org_admin),
              404);
  check_error(w.post("/organization/delete", R"({"organization_ids":["org-a"]})", w.org_admin), 403);
  check_error(w.post("/organization/delete", R"({"organization_ids":["org-b"]})", w.org_admin), 404);

  // org_admins add users they manage, never as administrators
  const auto made = parse(w.post("/user/new", R"({"user_id":"u-staff"})", w.org_admin).body);
  register_secret(str(made["key"]));
  check_error(w.post("/organization/member_add",
                     R"({"organization_id":"org-a","member":{"user_id":"u-staff","role":"proxy_admin"}})", w.org_admin),
              403);
  check_error(w.post("/organization/member_add",
                     R"({"organization_id":"org-a","member":{"user_id":"u-staff","role":"org_admin"}})", w.org_admin),
              403);
  check_error(
      w.post("/organization/member_add", R"({"organization_id":"org-a","member":{"user_id":"u-cross"}})", w.org_admin),
      404);
  CHECK(w.post("/organization/member_add",
               R"({"organization_id":"org-a","member":{"user_id":"u-staff","role":"internal_user_viewer"}})",
               w.org_admin)
            .status == 200);
  check_error(
      w.post("/organization/member_add", R"({"organization_id":"org-a","member":{"user_id":"u-outsider"}})", w.member),
      403);
  check_error(
      w.post("/organization/member_delete", R"({"organization_id":"org-a","user_id":"u-org-admin"})", w.org_admin),
      403);

  // removing the org_admin's membership takes its rights at once
  CHECK(w.get("/team/info?team_id=gamma", w.org_admin).status == 200);
  CHECK(w.post("/organization/member_delete", R"({"organization_id":"org-a","user_id":"u-org-admin"})", w.admin())
            .status == 200);
  check_error(w.get("/team/info?team_id=gamma", w.org_admin), 404);
}

// ---------------------------------------------------------------------------------- budgets

TEST_CASE("budget endpoints: proxy_admins write, viewers read, others get 403", "[integration][management]") {
  World w;
  w.seed();
  const auto created = w.admin_post("/budget/new", R"({"budget_id":"b-1","max_budget":10,"soft_budget":8,
      "tpm_limit":100,"rpm_limit":5,"max_parallel_requests":2,"budget_duration":"1d","model_max_budget":{}})");
  CHECK(str(created["budget_id"]) == "b-1");
  CHECK(created["max_budget"].GetDouble() == 10);
  CHECK(created["soft_budget"].GetDouble() == 8);
  CHECK(created["budget_reset_at"].IsString());
  CHECK(str(w.admin_post("/budget/new", R"({"max_budget":1})")["budget_id"]).size() == 36);

  const auto info = parse(w.post("/budget/info", R"({"budgets":["b-1"]})", w.viewer).body);
  REQUIRE(info.IsArray());
  REQUIRE(info.Size() == 1);
  CHECK(info[0]["rpm_limit"].GetInt() == 5);
  CHECK(parse(w.get("/budget/list", w.viewer).body).Size() == 2);
  const auto updated = w.admin_post("/budget/update", R"({"budget_id":"b-1","max_budget":20,"soft_budget":null})");
  CHECK(updated["max_budget"].GetDouble() == 20);
  CHECK(updated["soft_budget"].IsNull());
  CHECK(updated["rpm_limit"].GetInt() == 5);

  for (const auto* key : {&w.outsider, &w.org_admin, &w.team_admin}) {
    check_error(w.post("/budget/new", R"({"max_budget":1})", *key), 403);
    check_error(w.post("/budget/info", R"({"budgets":["b-1"]})", *key), 403);
    check_error(w.get("/budget/list", *key), 403);
    check_error(w.post("/budget/update", R"({"budget_id":"b-1","max_budget":1})", *key), 403);
    check_error(w.post("/budget/delete", R"({"id":"b-1"})", *key), 403);
  }
  check_error(w.post("/budget/new", R"({"max_budget":1})", w.viewer), 403);
  check_error(w.post("/budget/delete", R"({"id":"b-1"})", w.viewer), 403);

  check_error(w.post("/budget/new", R"({"max_budget":"ten"})", w.admin()), 400, "max_budget");
  check_error(w.post("/budget/new", R"({"budget_id":"b-1"})", w.admin()), 400, "budget_id");
  check_error(w.post("/budget/new", R"({"max_buget":1})", w.admin()), 400, "max_buget");
  check_error(w.post("/budget/update", R"({"max_budget":1})", w.admin()), 400, "budget_id");
  check_error(w.post("/budget/info", R"({"budgets":[]})", w.admin()), 400, "budgets");
  check_error(w.post("/budget/delete", R"({})", w.admin()), 400, "id");
  check_error(w.post("/budget/info", R"({"budgets":["b-1","no-such-budget"]})", w.admin()), 404);
  check_error(w.post("/budget/update", R"({"budget_id":"no-such-budget","max_budget":1})", w.admin()), 404);
  check_error(w.post("/budget/delete", R"({"id":"no-such-budget"})", w.admin()), 404);

  // in use by an organization: 409, then deletable once released
  w.admin_post("/organization/update", R"({"organization_id":"org-b","budget_id":"b-1"})");
  check_error(w.post("/budget/delete", R"({"id":"b-1"})", w.admin()), 409);
  w.admin_post("/organization/update", R"({"organization_id":"org-b","budget_id":null})");
  CHECK(str(w.admin_post("/budget/delete", R"({"id":"b-1"})")["budget_id"]) == "b-1");
  check_error(w.post("/budget/info", R"({"budgets":["b-1"]})", w.admin()), 404);
}

// ---------------------------------------------------------------------------------- keys

TEST_CASE("key endpoints round trip through the shared key-issuing helpers", "[integration][management]") {
  World w;
  w.seed();
  const auto generated = parse(w.post("/key/generate", R"({"key_alias":"mine","duration":"1h"})", w.member).body);
  const auto key = str(generated["key"]);
  register_secret(key);
  CHECK(str(generated["user_id"]) == "u-member");
  CHECK(str(generated["key_name"]).rfind("sk-...", 0) == 0);
  CHECK(generated["expires"].IsString());
  CHECK(w.chat(key) == 200);
  const auto regenerated = parse(w.post("/key/regenerate", R"({"key":")" + key + R"("})", w.member).body);
  const auto fresh = str(regenerated["key"]);
  register_secret(fresh);
  CHECK(fresh != key);
  CHECK(w.chat(key) == 401);
  CHECK(w.chat(fresh) == 200);
  CHECK(w.post("/key/delete", R"({"keys":[")" + fresh + R"("]})", w.member).status == 200);
  CHECK(w.chat(fresh) == 401);
}

namespace {

// 50 /key/generate calls at once, each on its own connection: 50 distinct keys, all working.
void generate_in_parallel(const World& w) {
  constexpr int kCalls = 50;
  // Unique per run: the PostgreSQL database may outlive one run of this binary.
  const std::string alias = "parallel-" + std::to_string(::getpid()) + "-";
  std::vector<std::future<HttpReply>> replies;
  for (int i = 0; i < kCalls; ++i) {
    replies.push_back(std::async(std::launch::async, [&w, &alias, i] {
      return w.post("/key/generate", R"({"key_alias":")" + alias + std::to_string(i) + R"("})", w.admin());
    }));
  }
  std::set<std::string> keys, tokens;
  for (auto& future : replies) {
    const auto reply = future.get();
    INFO(reply.body);
    REQUIRE(reply.status == 200);
    const auto d = parse(reply.body);
    keys.insert(str(d["key"]));
    tokens.insert(str(d["token"]));
    register_secret(str(d["key"]));
  }
  CHECK(keys.size() == kCalls);
  CHECK(tokens.size() == kCalls);
  for (const auto& key : keys) CHECK(w.chat(key) == 200);
  const auto listed = parse(w.get("/key/list?key_alias=" + alias + "7&return_full_object=true", w.admin()).body);
  CHECK(listed["keys"].Size() == 1);
}

}  // namespace

TEST_CASE("50 parallel /key/generate calls make 50 distinct working keys", "[integration][management]") {
  on_both_stores(generate_in_parallel);
}

// The escalations an attacker found with one key of every role (issue: "no credential minted
// beyond the caller's rights"), each replayed as it was reported; docs/authz.md, "Whose a key is".
TEST_CASE("escalation findings: no call mints a credential beyond the caller's rights",
          "[integration][management][escalation]") {
  World w;
  w.seed();
  w.user("u-root", R"("user_role":"proxy_admin")");
  const auto member_key = [&](const std::string& body, const std::string& caller) {
    const auto reply = w.post("/key/generate", body, caller);
    INFO(reply.body);
    REQUIRE(reply.status == 200);
    const auto d = parse(reply.body);
    register_secret(str(d["key"]));
    return std::make_pair(str(d["key"]), str(d["token"]));
  };

  SECTION("1. a team admin adds a proxy_admin to its team, then mints a key for it") {
    check_error(w.post("/team/member_add", R"({"team_id":"alpha","member":{"user_id":"u-root"}})", w.team_admin), 404);
    w.admin_post("/team/member_add",
                 R"({"team_id":"alpha","member":{"user_id":"u-root"}})");  // even if it were a member
    check_error(w.post("/key/generate", R"({"team_id":"alpha","user_id":"u-root"})", w.team_admin), 403);
    check_error(w.post("/key/generate", R"({"team_id":"alpha","user_id":"u-member"})", w.team_admin), 403);
  }
  SECTION("2. an org admin turns a key of its user into a proxy_admin's by update or regenerate") {
    const auto [key, token] = member_key(R"({"user_id":"u-member"})", w.org_admin);
    check_error(w.post("/key/update", R"({"key":")" + token + R"(","user_id":"u-root"})", w.org_admin), 403);
    check_error(w.post("/key/regenerate", R"({"key":")" + token + R"(","user_id":"u-root"})", w.org_admin), 403);
    check_error(w.post("/key/" + token + "/regenerate", R"({"user_id":"u-root"})", w.org_admin), 403);
    check_error(w.get("/budget/list", key), 403);
  }
  SECTION("3. a team admin regenerates its team's key for a user of another organization") {
    const auto [key, token] = member_key(R"({"team_id":"alpha","user_id":"u-member"})", w.admin());
    check_error(w.post("/key/regenerate", R"({"key":")" + token + R"(","user_id":"u-cross"})", w.team_admin), 403);
    check_error(w.post("/team/member_add", R"({"team_id":"alpha","member":{"user_id":"u-cross"}})", w.team_admin), 404);
    CHECK(w.chat(key) == 200);  // the victim's key still works
  }
  SECTION("4. regenerate moves a key into a team the caller cannot see, or one that does not exist") {
    const auto [key, token] = member_key(R"({"team_id":"alpha"})", w.team_admin);
    check_error(w.post("/key/regenerate", R"({"key":")" + token + R"(","team_id":"beta"})", w.team_admin), 404);
    check_error(w.post("/key/regenerate", R"({"key":")" + token + R"(","team_id":"no-such-team"})", w.team_admin), 404);
    check_error(w.post("/key/update", R"({"key":")" + token + R"(","team_id":"beta"})", w.team_admin), 404);
    CHECK(w.chat(key) == 200);  // refused calls change nothing
  }
  SECTION("5. a personal key billed to an organization its user is not in escapes the user's own") {
    w.admin_post("/organization/update", R"({"organization_id":"org-a","max_budget":0})");
    CHECK(w.chat(w.member) == 429);
    check_error(w.post("/key/generate", R"({"organization_id":"org-b"})", w.member), 403);
    check_error(w.post("/key/generate", R"({"organization_id":null})", w.member), 403);
    const auto [own, token] = member_key("{}", w.member);  // a personal key draws on org-a
    CHECK(w.chat(own) == 429);
    check_error(w.post("/key/update", R"({"key":")" + token + R"(","organization_id":"org-b"})", w.org_admin), 403);
  }
  SECTION("6. /key/delete by alias tells another organization's alias from a missing one") {
    w.admin_post("/key/generate", R"({"user_id":"u-cross","key_alias":"b-secret"})");
    const auto hidden = w.post("/key/delete", R"({"key_aliases":["b-secret"]})", w.org_admin);
    const auto missing = w.post("/key/delete", R"({"key_aliases":["b-nothing"]})", w.org_admin);
    CHECK(hidden.status == 404);
    CHECK(missing.status == 404);
    CHECK(parse(hidden.body)["error"]["message"] == "key with alias 'b-secret' not found");
    CHECK(parse(missing.body)["error"]["message"] == "key with alias 'b-nothing' not found");
  }
}

// LiteLLM restrictions Tollgate does not enforce are refused when they set anything: a key
// created with allowed_routes must not silently reach every route.
TEST_CASE("restriction fields Tollgate does not enforce are 400 when set, accepted when empty",
          "[integration][management]") {
  World w;
  w.seed();
  struct Row {
    const char* path;
    const char* body;
    int status;
    const char* param;
  };
  const std::vector<Row> rows = {
      {"/key/generate", R"({"allowed_routes":["/v1/chat/completions"]})", 400, "allowed_routes"},
      {"/key/generate", R"({"guardrails":["pii-mask"]})", 400, "guardrails"},
      {"/key/generate", R"({"permissions":{"get_spend_routes":false}})", 400, "permissions"},
      {"/key/generate", R"({"enforced_params":["user"]})", 400, "enforced_params"},
      {"/key/generate", R"({"model_max_budget":{"gpt-4o-mini":{"budget_limit":1}}})", 400, "model_max_budget"},
      {"/key/generate",
       R"({"guardrails":[],"allowed_routes":null,"object_permission":{"vector_stores":[],"mcp_servers":null}})", 200,
       nullptr},
      {"/team/new", R"({"team_member_budget":10})", 400, "team_member_budget"},
      {"/team/new", R"({"model_rpm_limit":{"gpt-4o-mini":5}})", 400, "model_rpm_limit"},
      {"/team/new", R"({"team_member_budget":null,"guardrails":[]})", 200, nullptr},
      {"/user/new", R"({"model_max_budget":{"gpt-4o-mini":1}})", 400, "model_max_budget"},
      {"/organization/new", R"({"organization_alias":"x","model_tpm_limit":{"gpt-4o-mini":5}})", 400,
       "model_tpm_limit"},
      {"/organization/new", R"({"organization_alias":"y","model_tpm_limit":{}})", 200, nullptr},
      {"/budget/new", R"({"max_budget":1,"model_max_budget":{"gpt-4o-mini":1}})", 400, "model_max_budget"},
  };
  for (const auto& row : rows) {
    const auto reply = w.post(row.path, row.body, w.admin());
    INFO(row.path << " " << row.body << " -> " << reply.body);
    if (row.param) {
      check_error(reply, row.status, row.param);
    } else {
      CHECK(reply.status == row.status);
      if (reply.status == 200 && std::string(row.path) == "/key/generate")
        register_secret(str(parse(reply.body)["key"]));
    }
  }
  const auto key = parse(w.post("/key/generate", "{}", w.admin()).body);
  register_secret(str(key["key"]));
  check_error(
      w.post("/key/update", R"({"key":")" + str(key["token"]) + R"(","allowed_routes":["/key/info"]})", w.admin()), 400,
      "allowed_routes");
}

// ------------------------------------------------------------------- untrusted bytes and depth

namespace {

std::string nested_arrays(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// Invalid UTF-8 and NUL in management bodies and query arguments are the client's mistake: 400
// naming the field on either store (PostgreSQL used to answer 503 for the bytes; a NUL silently
// cut an alias short), and nothing is stored.
void check_bad_text_refused(const World& w) {
  struct Row {
    std::string path;
    std::string body;
    const char* param;
    const char* needle;
  };
  const Row rows[] = {
      {"/key/generate", "{\"key_alias\":\"bad \xff byte\"}", "key_alias", "UTF-8"},
      {"/key/generate", "{\"key_alias\":\"overlong \xc0\xaf slash\"}", "key_alias", "UTF-8"},
      {"/key/generate", "{\"key_alias\":\"raw surrogate \xed\xa0\x80\"}", "key_alias", "UTF-8"},
      {"/key/generate", "{\"key_alias\":\"truncated \xe6\x97\"}", "key_alias", "UTF-8"},
      {"/key/generate", R"({"key_alias":"escaped surrogate \udc00"})", "key_alias", "surrogate"},
      {"/key/generate",
       R"({"metadata":{"team":"x)"
       "\xff"
       R"("}})",
       "metadata.team", "UTF-8"},
      {"/key/generate", R"({"key_alias":"nul\u0000cut"})", "key_alias", "NUL"},
      {"/key/generate", R"({"models":["gpt-4o-mini\u0000"]})", "models", "NUL"},
      {"/user/new", R"({"user_id":"u\u0000x"})", "user_id", "NUL"},
      {"/user/new", R"({"user_id":"u-nul-mail","user_email":"a\u0000@b"})", "user_email", "NUL"},
      {"/team/new", R"({"team_id":"t\u0000x"})", "team_id", "NUL"},
      {"/organization/new", R"({"organization_id":"o\u0000x"})", "organization_id", "NUL"},
      {"/team/new", R"({"members_with_roles":[{"user_id":"u\u0000x"}]})", "members_with_roles[0].user_id", "NUL"},
  };
  for (const auto& row : rows) {
    INFO(row.path << " " << row.body);
    const auto reply = w.post(row.path, row.body, w.admin());
    check_error(reply, 400, row.param);
    CHECK_THAT(reply.body, Catch::Contains(row.needle));
  }
  // Query arguments are percent-decoded into any bytes: the same rules.
  const std::pair<const char*, const char*> queries[] = {
      {"/user/info?user_id=%FF", "user_id"},
      {"/user/info?user_id=a%00b", "user_id"},
      {"/team/info?team_id=%C0%80", "team_id"},
      {"/key/list?key_alias=%ED%A0%80", "key_alias"},
      // A malformed escape is refused, not read as an absent filter (which would list all keys).
      {"/key/list?user_id=%zz", "user_id"},
      {"/user/info?user_id=abc%4", "user_id"},
  };
  for (const auto& [target, param] : queries) {
    INFO(target);
    check_error(w.get(target, w.admin()), 400, param);
  }
  // Valid multi-byte text passes and comes back byte for byte.
  const std::string alias = "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80 " + std::to_string(::getpid());
  const auto generated = w.admin_post("/key/generate", R"({"key_alias":")" + alias + R"("})");
  register_secret(str(generated["key"]));
  CHECK(str(generated["key_alias"]) == alias);
}

}  // namespace

TEST_CASE("invalid UTF-8 and NUL in management bodies and queries get 400 naming the field on both stores",
          "[integration][management][input]") {
  on_both_stores(check_bad_text_refused);
}

TEST_CASE(
    "a body nested 100k levels deep on /key/generate from an ordinary user's key gets 400, the gateway keeps serving",
    "[integration][management][input]") {
  World w;
  const auto key = w.user("u-deep");
  for (const auto& body :
       {R"({"metadata":)" + nested_arrays(100000) + "}", R"({"metadata":{"a":)" + nested_arrays(100000) + "}}"}) {
    const auto reply = w.post("/key/generate", body, key);
    check_error(reply, 400, "metadata");
    CHECK_THAT(reply.body, Catch::Contains("64 levels"));
  }
  CHECK(w.get("/health/liveliness", key).status == 200);
  // Nesting within the limit is fine.
  const auto ok = w.post("/key/generate", R"({"metadata":{"a":)" + nested_arrays(62) + "}}", key);
  INFO(ok.body);
  CHECK(ok.status == 200);
  register_secret(str(parse(ok.body)["key"]));
}
