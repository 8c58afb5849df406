// The matrix for /team/*: every endpoint × actor × team shape, statuses from docs/authz.md
// (Teams), effects read back through the Store. Every cell acts on a fresh team.
//
// Team shapes:
//   own      a fresh team of the actor's organization in which the actor (a fresh clone of it)
//            has its team role: admin for team_admin, user for member/cross_org/user_viewer
//            (NA for actors without a team role)
//   org_a    a fresh team of org A the actor is not in   (same org for org A's actors)
//   org_b    a fresh team of org B the actor is not in   (other org for org A's actors)
//   missing  a team that does not exist
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "persistence/store.h"
#include "tests/authz/matrix.h"
#include "tests/authz/record_diff.h"

namespace tollgate::authz {
namespace {

using persistence::TeamRecord;
using testing::HttpReply;

const std::vector<std::string> kTeamShapes = {"own", "org_a", "org_b", "missing"};

// clang-format off
// Teams are visible to admins and viewers, their members, and org_admins of their
// organization; 404 to anyone else; service accounts read nothing (403).
//                          own  org_a org_b missing
const Grid kRead{kTeamShapes, {
    {"master",          {NA,  200, 200, 404}},
    {"proxy_admin",     {NA,  200, 200, 404}},
    {"admin_viewer",    {NA,  200, 200, 404}},
    {"org_admin_a",     {NA,  200, 404, 404}},
    {"org_admin_b",     {NA,  404, 200, 404}},
    {"team_admin",      {200, 404, 404, 404}},
    {"member",          {200, 404, 404, 404}},
    {"outsider",        {NA,  404, 404, 404}},
    {"cross_org",       {200, 404, 404, 404}},
    {"service_account", {NA,  403, 403, 403}},
    {"user_viewer",     {200, 404, 404, 404}},
}};

const Grid kList{kTeamShapes, {
    {"master",          {NA,  200, 200, NA}},
    {"proxy_admin",     {NA,  200, 200, NA}},
    {"admin_viewer",    {NA,  200, 200, NA}},
    {"org_admin_a",     {NA,  200, 200, NA}},
    {"org_admin_b",     {NA,  200, 200, NA}},
    {"team_admin",      {200, 200, 200, NA}},
    {"member",          {200, 200, 200, NA}},
    {"outsider",        {NA,  200, 200, NA}},
    {"cross_org",       {200, 200, 200, NA}},
    {"service_account", {NA,  403, 403, NA}},
    {"user_viewer",     {200, 200, 200, NA}},
}};

// /team/update, /team/delete, /team/block, /team/unblock: proxy_admin and the team's org_admin.
const Grid kManage{kTeamShapes, {
    {"master",          {NA,  200, 200, 404}},
    {"proxy_admin",     {NA,  200, 200, 404}},
    {"admin_viewer",    {NA,  403, 403, 403}},
    {"org_admin_a",     {NA,  200, 404, 404}},
    {"org_admin_b",     {NA,  404, 200, 404}},
    {"team_admin",      {403, 404, 404, 404}},
    {"member",          {403, 404, 404, 404}},
    {"outsider",        {NA,  404, 404, 404}},
    {"cross_org",       {403, 404, 404, 404}},
    {"service_account", {NA,  403, 403, 403}},
    {"user_viewer",     {403, 403, 403, 403}},
}};

// /team/member_add, /team/member_delete: as kManage, and the team's admins.
const Grid kMembers{kTeamShapes, {
    {"master",          {NA,  200, 200, 404}},
    {"proxy_admin",     {NA,  200, 200, 404}},
    {"admin_viewer",    {NA,  403, 403, 403}},
    {"org_admin_a",     {NA,  200, 404, 404}},
    {"org_admin_b",     {NA,  404, 200, 404}},
    {"team_admin",      {200, 404, 404, 404}},
    {"member",          {403, 404, 404, 404}},
    {"outsider",        {NA,  404, 404, 404}},
    {"cross_org",       {403, 404, 404, 404}},
    {"service_account", {NA,  403, 403, 403}},
    {"user_viewer",     {403, 403, 403, 403}},
}};

// /team/new: the shapes are the organization the body names.
const Grid kNew{{"in_org_a", "in_org_b", "no_org", "in_missing_org"}, {
    {"master",          {200, 200, 200, 404}},
    {"proxy_admin",     {200, 200, 200, 404}},
    {"admin_viewer",    {403, 403, 403, 403}},
    {"org_admin_a",     {200, 403, 403, 403}},
    {"org_admin_b",     {403, 200, 403, 403}},
    {"team_admin",      {403, 403, 403, 403}},
    {"member",          {403, 403, 403, 403}},
    {"outsider",        {403, 403, 403, 403}},
    {"cross_org",       {403, 403, 403, 403}},
    {"service_account", {403, 403, 403, 403}},
    {"user_viewer",     {403, 403, 403, 403}},
}};
// clang-format on

struct FreshTeam {
  std::string id;
  std::string org;
  Actor caller;
  std::optional<Key> key;  // a service-account key of the team
  std::string member;      // a member (role user) other than the caller
};

struct TeamOptions {
  bool key = false;
  bool blocked = false;
  bool member = false;
};

FreshTeam fresh_team(World& w, const Actor& a, const std::string& shape, TeamOptions options = {}) {
  FreshTeam t{"", "", a, std::nullopt, ""};
  if (shape == "missing") {
    t.id = w.unique("team-missing");
    t.org = kOrgA;
    return t;
  }
  t.org = shape == "own" ? a.org() : shape == "org_a" ? kOrgA : kOrgB;
  t.id = w.unique("team-" + shape);
  Json extra;
  if (options.blocked) extra.b("blocked", true);
  w.create_team(t.id, t.org, extra);
  if (options.key) t.key = w.create_key(Json().s("team_id", t.id));
  if (options.member)
    t.member = w.create_member_user("team-member", "internal_user", {{t.id, "user"}}, {{t.org, "internal_user"}});
  if (shape == "own") t.caller = w.clone(a, {{t.id, a.team_role()}});
  return t;
}

std::optional<TeamRecord> find(World& w, const std::string& id) { return w.store().find_team(id); }

void check_unchanged(World& w, const FreshTeam& t, const std::optional<TeamRecord>& before) {
  const auto after = find(w, t.id);
  if (!before) {
    INFO("a call on a missing team must not create it");
    CHECK_FALSE(after.has_value());
    return;
  }
  REQUIRE(after.has_value());
  check_no_change(diff(*before, *after));
}

Prepare info_cell(const std::string& shape) {
  return [shape](World& w, const Actor& a) {
    const auto t = fresh_team(w, a, shape);
    const auto before = find(w, t.id);
    Cell c = request(t.caller, "GET", "/team/info?team_id=" + url_encode(t.id), "");
    c.verify = [t, before](World& w, const HttpReply& r) {
      if (r.status == 200) CHECK(json_string(r.body, "team_id") == t.id);
      check_unchanged(w, t, before);
    };
    return c;
  };
}

// /team/daily/activity?team_ids=: readable as /team/info.
Prepare daily_activity_cell(const std::string& shape) {
  return [shape](World& w, const Actor& a) {
    const auto t = fresh_team(w, a, shape);
    Cell c = request(t.caller, "GET",
                     "/team/daily/activity?start_date=2000-01-01&end_date=2100-01-01&team_ids=" + url_encode(t.id), "");
    c.verify = [](World&, const HttpReply& r) {
      if (r.status == 200) CHECK(r.body.find("\"results\"") != std::string::npos);
    };
    return c;
  };
}

Prepare list_cell(const std::string& shape) {
  return [shape](World& w, const Actor& a) {
    const auto t = fresh_team(w, a, shape);
    Cell c = request(t.caller, "GET", "/team/list", "");
    const bool visible = kRead.at(a.name, shape) == 200;
    c.verify = [t, visible](World&, const HttpReply& r) {
      if (r.status != 200) return;
      INFO((visible ? "the team must be listed" : "the team must not be listed"));
      CHECK(lists(r.body, "", "team_id", t.id) == visible);
    };
    return c;
  };
}

Prepare new_cell(const std::string& variant) {
  return [variant](World& w, const Actor& a) {
    const std::string id = w.unique("new-team");
    std::optional<std::string> org;
    if (variant == "in_org_a")
      org = kOrgA;
    else if (variant == "in_org_b")
      org = kOrgB;
    else if (variant == "in_missing_org")
      org = w.unique("org-missing");
    Json body;
    body.s("team_id", id).s("team_alias", id);
    if (org) body.s("organization_id", *org);
    Cell c = request(a, "POST", "/team/new", body.str());
    c.verify = [id, org](World& w, const HttpReply& r) {
      const auto team = find(w, id);
      if (r.status != 200) {
        INFO("a denied /team/new must store no team");
        CHECK_FALSE(team.has_value());
        return;
      }
      REQUIRE(team.has_value());
      CHECK(team->organization_id == org);
      CHECK(json_string(r.body, "team_id") == id);
    };
    return c;
  };
}

Prepare update_cell(const std::string& shape, bool limits) {
  return [shape, limits](World& w, const Actor& a) {
    const auto t = fresh_team(w, a, shape);
    const auto before = find(w, t.id);
    const std::string alias = w.unique("renamed");
    Json body;
    body.s("team_id", t.id);
    if (limits)
      body.n("max_budget", 42.5);
    else
      body.s("team_alias", alias);
    Cell c = request(t.caller, "POST", "/team/update", body.str());
    c.verify = [t, before, limits, alias](World& w, const HttpReply& r) {
      if (r.status != 200) return check_unchanged(w, t, before);
      REQUIRE(before.has_value());
      const auto after = find(w, t.id);
      REQUIRE(after.has_value());
      check_exact_change(diff(*before, *after), {limits ? "max_budget" : "team_alias"});
      if (limits)
        CHECK(after->max_budget == 42.5);
      else
        CHECK(after->team_alias == alias);
    };
    return c;
  };
}

// /team/update with model aliases: checked as the team's limits.
Prepare aliases_cell(const std::string& shape) {
  return [shape](World& w, const Actor& a) {
    const auto t = fresh_team(w, a, shape);
    const auto before = find(w, t.id);
    Cell c = request(t.caller, "POST", "/team/update",
                     Json().s("team_id", t.id).raw("model_aliases", R"({"cheap":"anything"})").str());
    c.verify = [t, before](World& w, const HttpReply& r) {
      if (r.status != 200) return check_unchanged(w, t, before);
      REQUIRE(before.has_value());
      const auto after = find(w, t.id);
      REQUIRE(after.has_value());
      check_exact_change(diff(*before, *after), {"model_aliases"});
      CHECK(after->model_aliases.at("cheap") == "anything");
    };
    return c;
  };
}

Prepare delete_cell(const std::string& shape) {
  return [shape](World& w, const Actor& a) {
    const auto t = fresh_team(w, a, shape, {true, false, false});
    const auto before = find(w, t.id);
    Cell c = request(t.caller, "POST", "/team/delete", Json().strings("team_ids", {t.id}).str());
    c.verify = [t, before](World& w, const HttpReply& r) {
      if (r.status != 200) {
        check_unchanged(w, t, before);
        if (t.key) {
          INFO("the team's key keeps working");
          CHECK(w.chat_status(t.key->cleartext) == 200);
        }
        return;
      }
      INFO("a deleted team is gone with its keys");
      CHECK_FALSE(find(w, t.id).has_value());
      REQUIRE(t.key.has_value());
      CHECK_FALSE(w.store().find_key(t.key->hash).has_value());
      CHECK(w.chat_status(t.key->cleartext) == 401);
    };
    return c;
  };
}

Prepare block_cell(const std::string& shape, bool block) {
  return [shape, block](World& w, const Actor& a) {
    const auto t = fresh_team(w, a, shape, {true, !block, false});
    const auto before = find(w, t.id);
    Cell c = request(t.caller, "POST", block ? "/team/block" : "/team/unblock", Json().s("team_id", t.id).str());
    c.verify = [t, before, block](World& w, const HttpReply& r) {
      if (r.status != 200) {
        check_unchanged(w, t, before);
        if (t.key) {
          INFO("the team's key answers as before");
          CHECK(w.chat_status(t.key->cleartext) == (block ? 200 : 401));
        }
        return;
      }
      REQUIRE(before.has_value());
      const auto after = find(w, t.id);
      REQUIRE(after.has_value());
      check_exact_change(diff(*before, *after), {"blocked"});
      CHECK(after->blocked == block);
      INFO("a blocked team's keys stop working at once; unblocked, they work again");
      CHECK(w.chat_status(t.key->cleartext) == (block ? 401 : 200));
    };
    return c;
  };
}

bool has_member(const TeamRecord& team, const std::string& user_id, const std::string& role) {
  for (const auto& m : team.members) {
    if (m.user_id == user_id && (role.empty() || m.role == role)) return true;
  }
  return false;
}

Prepare member_add_cell(const std::string& shape) {
  return [shape](World& w, const Actor& a) {
    const auto t = fresh_team(w, a, shape);
    const std::string user = w.create_member_user("joiner", "internal_user", {}, {{t.org, "internal_user"}});
    const auto before = find(w, t.id);
    Cell c = request(t.caller, "POST", "/team/member_add",
                     Json().s("team_id", t.id).raw("member", Json().s("user_id", user).s("role", "user").str()).str());
    c.verify = [t, before, user](World& w, const HttpReply& r) {
      if (r.status != 200) return check_unchanged(w, t, before);
      REQUIRE(before.has_value());
      const auto after = find(w, t.id);
      REQUIRE(after.has_value());
      check_exact_change(diff(*before, *after), {"members"});
      CHECK(has_member(*after, user, "user"));
      CHECK(after->members.size() == before->members.size() + 1);
    };
    return c;
  };
}

// An existing member (a "user") made an admin: an admin of the team or above may.
Prepare member_update_cell(const std::string& shape) {
  return [shape](World& w, const Actor& a) {
    const auto t = fresh_team(w, a, shape, {false, false, true});
    const std::string user = t.member.empty() ? w.unique("user-missing") : t.member;
    const auto before = find(w, t.id);
    Cell c = request(t.caller, "POST", "/team/member_update",
                     Json().s("team_id", t.id).s("user_id", user).s("role", "admin").str());
    c.verify = [t, before, user](World& w, const HttpReply& r) {
      if (r.status != 200) return check_unchanged(w, t, before);
      REQUIRE(before.has_value());
      const auto after = find(w, t.id);
      REQUIRE(after.has_value());
      check_exact_change(diff(*before, *after), {"members"});
      CHECK(has_member(*after, user, "admin"));
      CHECK(after->members.size() == before->members.size());
    };
    return c;
  };
}

Prepare member_delete_cell(const std::string& shape) {
  return [shape](World& w, const Actor& a) {
    const auto t = fresh_team(w, a, shape, {false, false, true});
    const std::string user = t.member.empty() ? w.unique("user-missing") : t.member;
    const auto before = find(w, t.id);
    Cell c = request(t.caller, "POST", "/team/member_delete", Json().s("team_id", t.id).s("user_id", user).str());
    c.verify = [t, before, user](World& w, const HttpReply& r) {
      if (r.status != 200) return check_unchanged(w, t, before);
      REQUIRE(before.has_value());
      const auto after = find(w, t.id);
      REQUIRE(after.has_value());
      check_exact_change(diff(*before, *after), {"members"});
      CHECK_FALSE(has_member(*after, user, ""));
      CHECK(after->members.size() + 1 == before->members.size());
    };
    return c;
  };
}

}  // namespace

std::vector<Row> team_rows() {
  std::vector<Row> rows;
  add_rows(rows, "POST", "/team/new", "", kNew, false, new_cell);
  add_rows(rows, "GET", "/team/info", "", kRead, true, info_cell);
  add_rows(rows, "GET", "/team/daily/activity", "team_ids", kRead, true, daily_activity_cell);
  add_rows(rows, "GET", "/team/list", "", kList, true, list_cell);
  add_rows(rows, "POST", "/team/update", "alias", kManage, false,
           [](const std::string& s) { return update_cell(s, false); });
  add_rows(rows, "POST", "/team/update", "limits", kManage, false,
           [](const std::string& s) { return update_cell(s, true); });
  add_rows(rows, "POST", "/team/update", "model_aliases", kManage, false, aliases_cell);
  add_rows(rows, "POST", "/team/delete", "", kManage, false, delete_cell);
  add_rows(rows, "POST", "/team/block", "", kManage, false, [](const std::string& s) { return block_cell(s, true); });
  add_rows(rows, "POST", "/team/unblock", "", kManage, false,
           [](const std::string& s) { return block_cell(s, false); });
  add_rows(rows, "POST", "/team/member_add", "", kMembers, false, member_add_cell);
  add_rows(rows, "POST", "/team/member_delete", "", kMembers, false, member_delete_cell);
  add_rows(rows, "POST", "/team/member_update", "", kMembers, false, member_update_cell);
  return rows;
}

}  // namespace tollgate::authz

TEST_CASE("authz matrix: teams", "[authz][teams]") { tollgate::authz::run_rows("teams", tollgate::authz::team_rows()); }
