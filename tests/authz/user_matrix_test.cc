// The matrix for /user/*: every endpoint × actor × user shape, statuses from docs/authz.md
// (Users), effects read back through the Store. Mutating cells act on a fresh user.
//
// User shapes:
//   self         the actor's own user (a fresh clone of the actor when the call mutates)
//   alpha_user   a fresh user of team alpha and org A    (same team for alpha's members)
//   a_user       a fresh user of org A, no team          (same org for org A's actors)
//   b_user       a fresh user of org B                   (other org for org A's actors)
//   a_org_admin  a fresh org_admin of org A              (a fellow administrator)
//   missing      a user that does not exist
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "persistence/store.h"
#include "tests/authz/matrix.h"
#include "tests/authz/record_diff.h"

namespace tollgate::authz {
namespace {

using persistence::UserRecord;
using testing::HttpReply;

const std::vector<std::string> kUserShapes = {"self", "alpha_user", "a_user", "b_user", "a_org_admin", "missing"};

// clang-format off
// A user is visible to admins and viewers, itself, and org_admins of an organization it
// belongs to.
//                          self alpha_user a_user b_user a_org_admin missing
const Grid kRead{kUserShapes, {
    {"master",          {NA,  200, 200, 200, 200, 404}},
    {"proxy_admin",     {200, 200, 200, 200, 200, 404}},
    {"admin_viewer",    {200, 200, 200, 200, 200, 404}},
    {"org_admin_a",     {200, 200, 200, 404, 200, 404}},
    {"org_admin_b",     {200, 404, 404, 200, 404, 404}},
    {"team_admin",      {200, 404, 404, 404, 404, 404}},
    {"member",          {200, 404, 404, 404, 404, 404}},
    {"outsider",        {200, 404, 404, 404, 404, 404}},
    {"cross_org",       {200, 404, 404, 404, 404, 404}},
    {"service_account", {NA,  403, 403, 403, 403, 403}},
    {"user_viewer",     {200, 404, 404, 404, 404, 404}},
}};

const Grid kList{kUserShapes, {
    {"master",          {NA,  200, 200, 200, 200, NA}},
    {"proxy_admin",     {200, 200, 200, 200, 200, NA}},
    {"admin_viewer",    {200, 200, 200, 200, 200, NA}},
    {"org_admin_a",     {200, 200, 200, 200, 200, NA}},
    {"org_admin_b",     {200, 200, 200, 200, 200, NA}},
    {"team_admin",      {200, 200, 200, 200, 200, NA}},
    {"member",          {200, 200, 200, 200, 200, NA}},
    {"outsider",        {200, 200, 200, 200, 200, NA}},
    {"cross_org",       {200, 200, 200, 200, 200, NA}},
    {"service_account", {NA,  403, 403, 403, 403, NA}},
    {"user_viewer",     {200, 200, 200, 200, 200, NA}},
}};

// /user/update (alias, limits), /user/delete: proxy_admin; org_admins for the non-admin users
// of their organizations; never the user itself (unless a proxy_admin).
const Grid kManage{kUserShapes, {
    {"master",          {NA,  200, 200, 200, 200, 404}},
    {"proxy_admin",     {200, 200, 200, 200, 200, 404}},
    {"admin_viewer",    {403, 403, 403, 403, 403, 403}},
    {"org_admin_a",     {403, 200, 200, 404, 403, 404}},
    {"org_admin_b",     {403, 404, 404, 200, 404, 404}},
    {"team_admin",      {403, 404, 404, 404, 404, 404}},
    {"member",          {403, 404, 404, 404, 404, 404}},
    {"outsider",        {403, 404, 404, 404, 404, 404}},
    {"cross_org",       {403, 404, 404, 404, 404, 404}},
    {"service_account", {NA,  403, 403, 403, 403, 403}},
    {"user_viewer",     {403, 403, 403, 403, 403, 403}},
}};

// /user/update (alias, limits): as kManage, except that a proxy_admin's update of a missing
// user creates it, as LiteLLM does (docs/api.md, /user/update).
const Grid kUpdate{kUserShapes, {
    {"master",          {NA,  200, 200, 200, 200, 200}},
    {"proxy_admin",     {200, 200, 200, 200, 200, 200}},
    {"admin_viewer",    {403, 403, 403, 403, 403, 403}},
    {"org_admin_a",     {403, 200, 200, 404, 403, 404}},
    {"org_admin_b",     {403, 404, 404, 200, 404, 404}},
    {"team_admin",      {403, 404, 404, 404, 404, 404}},
    {"member",          {403, 404, 404, 404, 404, 404}},
    {"outsider",        {403, 404, 404, 404, 404, 404}},
    {"cross_org",       {403, 404, 404, 404, 404, 404}},
    {"service_account", {NA,  403, 403, 403, 403, 403}},
    {"user_viewer",     {403, 403, 403, 403, 403, 403}},
}};

// /user/update {"user_role": "org_admin"}: only a proxy_admin makes administrators.
const Grid kPromote{kUserShapes, {
    {"master",          {NA,  200, 200, 200, 200, 200}},
    {"proxy_admin",     {200, 200, 200, 200, 200, 200}},
    {"admin_viewer",    {403, 403, 403, 403, 403, 403}},
    {"org_admin_a",     {403, 403, 403, 404, 403, 404}},
    {"org_admin_b",     {403, 404, 404, 403, 404, 404}},
    {"team_admin",      {403, 404, 404, 404, 404, 404}},
    {"member",          {403, 404, 404, 404, 404, 404}},
    {"outsider",        {403, 404, 404, 404, 404, 404}},
    {"cross_org",       {403, 404, 404, 404, 404, 404}},
    {"service_account", {NA,  403, 403, 403, 403, 403}},
    {"user_viewer",     {403, 403, 403, 403, 403, 403}},
}};

// /user/new: the shapes are what the body asks for.
//   no_org          {user_role: internal_user}    (an org_admin's user lands in its organization)
//   in_org_a|b      {…, organization_id: A|B}
//   org_admin_in_a  {user_role: org_admin, organization_id: A}
//   proxy_admin     {user_role: proxy_admin}
const Grid kNew{{"no_org", "in_org_a", "in_org_b", "org_admin_in_a", "proxy_admin"}, {
    {"master",          {200, 200, 200, 200, 200}},
    {"proxy_admin",     {200, 200, 200, 200, 200}},
    {"admin_viewer",    {403, 403, 403, 403, 403}},
    {"org_admin_a",     {200, 200, 403, 403, 403}},
    {"org_admin_b",     {200, 403, 200, 403, 403}},
    {"team_admin",      {403, 403, 403, 403, 403}},
    {"member",          {403, 403, 403, 403, 403}},
    {"outsider",        {403, 403, 403, 403, 403}},
    {"cross_org",       {403, 403, 403, 403, 403}},
    {"service_account", {403, 403, 403, 403, 403}},
    {"user_viewer",     {403, 403, 403, 403, 403}},
}};
// clang-format on

struct FreshUser {
  std::string id;
  Actor caller;
  std::optional<Key> key;  // a personal key of the user
};

FreshUser fresh_user(World& w, const Actor& a, const std::string& shape, bool mutating, bool with_key = false) {
  FreshUser u{"", a, std::nullopt};
  if (shape == "missing") {
    u.id = w.unique("user-missing");
    return u;
  }
  if (shape == "self") {
    if (mutating) u.caller = w.clone(a);
    u.id = u.caller.user_id;
    if (with_key) u.key = u.caller.key;
    return u;
  }
  if (shape == "alpha_user")
    u.id = w.create_member_user("alpha-user", "internal_user", {{kAlpha, "user"}}, {{kOrgA, "internal_user"}});
  else if (shape == "a_user")
    u.id = w.create_member_user("a-user", "internal_user", {}, {{kOrgA, "internal_user"}});
  else if (shape == "b_user")
    u.id = w.create_member_user("b-user", "internal_user", {}, {{kOrgB, "internal_user"}});
  else if (shape == "a_org_admin")
    u.id = w.create_member_user("a-org-admin", "org_admin", {}, {{kOrgA, "org_admin"}});
  else
    throw std::logic_error("unknown user shape " + shape);
  if (with_key) u.key = w.create_key(Json().s("user_id", u.id));
  return u;
}

struct UserState {
  std::optional<UserRecord> user;
  std::vector<std::pair<std::string, std::string>> teams;
  std::vector<persistence::OrgMember> orgs;
};

UserState state(World& w, const std::string& id) {
  return UserState{w.store().find_user(id), w.store().teams_of_user(id), w.store().organizations_of_user(id)};
}

void check_unchanged(World& w, const std::string& id, const UserState& before) {
  const auto after = state(w, id);
  if (!before.user) {
    INFO("a call on a missing user must not create it");
    CHECK_FALSE(after.user.has_value());
    return;
  }
  REQUIRE(after.user.has_value());
  check_no_change(diff(*before.user, *after.user));
  INFO("memberships must be unchanged");
  CHECK(after.teams == before.teams);
  CHECK(diff(before.orgs, after.orgs).empty());
}

Prepare info_cell(const std::string& shape) {
  return [shape](World& w, const Actor& a) {
    const auto u = fresh_user(w, a, shape, false);
    const auto before = state(w, u.id);
    Cell c = request(u.caller, "GET", "/user/info?user_id=" + url_encode(u.id), "");
    c.verify = [u, before](World& w, const HttpReply& r) {
      if (r.status == 200) CHECK(json_string(r.body, "user_id") == u.id);
      check_unchanged(w, u.id, before);
    };
    return c;
  };
}

// /user/daily/activity?user_id=: readable as /user/info (a user reads its own activity).
Prepare daily_activity_cell(const std::string& shape) {
  return [shape](World& w, const Actor& a) {
    const auto u = fresh_user(w, a, shape, false);
    Cell c = request(u.caller, "GET",
                     "/user/daily/activity?start_date=2000-01-01&end_date=2100-01-01&user_id=" + url_encode(u.id), "");
    c.verify = [](World&, const HttpReply& r) {
      if (r.status == 200) CHECK(r.body.find("\"results\"") != std::string::npos);
    };
    return c;
  };
}

// Whether the user is on any page of /user/list as this caller (newest first, 100 a page).
bool listed(World& w, const std::string& credential, const HttpReply& first, const std::string& user_id) {
  if (lists(first.body, "users", "user_id", user_id)) return true;
  rapidjson::Document d;
  d.Parse(first.body.c_str());
  REQUIRE((d.IsObject() && d.HasMember("total_pages") && d["total_pages"].IsInt64()));
  for (std::int64_t page = 2; page <= d["total_pages"].GetInt64(); ++page) {
    const auto reply = w.call("GET", "/user/list?page_size=100&page=" + std::to_string(page), "", credential);
    REQUIRE(reply.status == 200);
    if (lists(reply.body, "users", "user_id", user_id)) return true;
  }
  return false;
}

Prepare list_cell(const std::string& shape) {
  return [shape](World& w, const Actor& a) {
    const auto u = fresh_user(w, a, shape, false);
    Cell c = request(u.caller, "GET", "/user/list?page_size=100", "");
    const bool visible = kRead.at(a.name, shape) == 200;
    c.verify = [u, visible](World& w, const HttpReply& r) {
      if (r.status != 200) return;
      INFO((visible ? "the user must be listed" : "the user must not be listed"));
      CHECK(listed(w, u.caller.key.cleartext, r, u.id) == visible);
    };
    return c;
  };
}

Prepare new_cell(const std::string& variant) {
  return [variant](World& w, const Actor& a) {
    const std::string id = w.unique("new-user");
    Json body;
    body.s("user_id", id).b("auto_create_key", false);
    std::string role = "internal_user";
    std::optional<std::string> org;
    if (variant == "in_org_a")
      org = kOrgA;
    else if (variant == "in_org_b")
      org = kOrgB;
    else if (variant == "org_admin_in_a")
      org = kOrgA, role = "org_admin";
    else if (variant == "proxy_admin")
      role = "proxy_admin";
    body.s("user_role", role);
    if (org) body.s("organization_id", *org);
    // An org_admin's user without an organization lands in the organization it administers.
    if (!org && variant == "no_org" && a.user_role == "org_admin") org = a.org();
    Cell c = request(a, "POST", "/user/new", body.str());
    c.verify = [id, role, org](World& w, const HttpReply& r) {
      const auto user = w.store().find_user(id);
      if (r.status != 200) {
        INFO("a denied /user/new must store no user");
        CHECK_FALSE(user.has_value());
        return;
      }
      REQUIRE(user.has_value());
      CHECK(user->user_role == role);
      bool member = !org;
      for (const auto& m : w.store().organizations_of_user(id)) member = member || m.organization_id == *org;
      member = member || user->organization_id == org;
      INFO("the new user belongs to " << org.value_or("no organization"));
      CHECK(member);
    };
    return c;
  };
}

// alias: an ordinary field; limits: max_budget; promote: user_role org_admin.
Prepare update_cell(const std::string& shape, const std::string& what) {
  return [shape, what](World& w, const Actor& a) {
    const auto u = fresh_user(w, a, shape, true);
    const auto before = state(w, u.id);
    const std::string alias = w.unique("renamed");
    Json body;
    body.s("user_id", u.id);
    if (what == "alias")
      body.s("user_alias", alias);
    else if (what == "limits")
      body.n("max_budget", 42.5);
    else
      body.s("user_role", "org_admin");
    Cell c = request(u.caller, "POST", "/user/update", body.str());
    c.verify = [u, before, what, alias](World& w, const HttpReply& r) {
      if (r.status != 200) return check_unchanged(w, u.id, before);
      const auto after = w.store().find_user(u.id);
      REQUIRE(after.has_value());
      if (!before.user) {
        INFO("an upsert creates the user with what the body set, and nothing else");
        CHECK(after->user_alias == (what == "alias" ? std::optional<std::string>(alias) : std::nullopt));
        CHECK(after->max_budget == (what == "limits" ? std::optional<double>(42.5) : std::nullopt));
        CHECK(after->user_role == (what == "promote" ? "org_admin" : "internal_user"));
        CHECK_FALSE(after->organization_id.has_value());
        CHECK(w.store().keys_of_user(u.id).empty());
        return;
      }
      if (what == "promote" && before.user->user_role == "org_admin") {
        check_exact_change(diff(*before.user, *after), {});  // already an org_admin
        return;
      }
      check_exact_change(diff(*before.user, *after), {what == "alias"    ? "user_alias"
                                                      : what == "limits" ? "max_budget"
                                                                         : "user_role"});
      if (what == "alias")
        CHECK(after->user_alias == alias);
      else if (what == "limits")
        CHECK(after->max_budget == 42.5);
      else
        CHECK(after->user_role == "org_admin");
    };
    return c;
  };
}

Prepare delete_cell(const std::string& shape) {
  return [shape](World& w, const Actor& a) {
    const auto u = fresh_user(w, a, shape, true, true);
    const auto before = state(w, u.id);
    Cell c = request(u.caller, "POST", "/user/delete", Json().strings("user_ids", {u.id}).str());
    c.verify = [u, before](World& w, const HttpReply& r) {
      if (r.status != 200) {
        check_unchanged(w, u.id, before);
        if (u.key) {
          INFO("the user's key keeps working");
          CHECK(w.chat_status(u.key->cleartext) == 200);
        }
        return;
      }
      INFO("a deleted user is gone with its memberships and keys");
      const auto after = state(w, u.id);
      CHECK_FALSE(after.user.has_value());
      CHECK(after.teams.empty());
      CHECK(after.orgs.empty());
      REQUIRE(u.key.has_value());
      CHECK_FALSE(w.store().find_key(u.key->hash).has_value());
      CHECK(w.chat_status(u.key->cleartext) == 401);
    };
    return c;
  };
}

}  // namespace

std::vector<Row> user_rows() {
  std::vector<Row> rows;
  add_rows(rows, "POST", "/user/new", "", kNew, false, new_cell);
  add_rows(rows, "GET", "/user/info", "", kRead, true, info_cell);
  add_rows(rows, "GET", "/user/daily/activity", "user_id", kRead, true, daily_activity_cell);
  add_rows(rows, "GET", "/user/list", "", kList, true, list_cell);
  for (const char* what : {"alias", "limits"}) {
    add_rows(rows, "POST", "/user/update", what, kUpdate, false,
             [what](const std::string& s) { return update_cell(s, what); });
  }
  add_rows(rows, "POST", "/user/update", "promote", kPromote, false,
           [](const std::string& s) { return update_cell(s, "promote"); });
  add_rows(rows, "POST", "/user/delete", "", kManage, false, delete_cell);
  return rows;
}

}  // namespace tollgate::authz

TEST_CASE("authz matrix: users", "[authz][users]") { tollgate::authz::run_rows("users", tollgate::authz::user_rows()); }
