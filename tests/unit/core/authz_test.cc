// core::decide as tables: every role of docs/authz.md × every action × every relation to the
// target, as HTTP statuses (200 allow, 403 forbidden, 404 not found). The same policy is
// checked end to end by tests/authz against a real gateway; this pins the pure function.
#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/authz.h"

using namespace tollgate::core;

namespace {

// A decision as the status the tables of docs/authz.md give it.
int http_status(Decision decision) {
  switch (decision) {
    case Decision::allow: return 200;
    case Decision::forbidden: return 403;
    case Decision::not_found: return 404;
  }
  return 403;
}

// The actors of docs/authz.md, with the memberships their names say.
//   org A: team alpha (team_admin admin; member, user_viewer members), team gamma (nobody)
//   org B: team beta (other_org member)
std::map<std::string, Actor> actors() {
  auto make = [](Role role, std::string user, std::vector<std::string> admin_orgs, std::vector<std::string> orgs,
                 std::vector<std::string> admin_teams, std::vector<std::string> teams) {
    Actor a;
    a.role = role;
    a.user_id = std::move(user);
    a.admin_org_ids = std::move(admin_orgs);
    a.member_org_ids = std::move(orgs);
    a.admin_team_ids = std::move(admin_teams);
    a.member_team_ids = std::move(teams);
    return a;
  };
  Actor service;
  service.service_account = true;
  return {
      {"proxy_admin", make(Role::proxy_admin, "pa", {}, {}, {}, {})},
      {"viewer", make(Role::proxy_admin_viewer, "pv", {}, {}, {}, {})},
      {"org_admin", make(Role::org_admin, "oa", {"A"}, {"A"}, {}, {})},
      {"team_admin", make(Role::internal_user, "ta", {}, {"A"}, {"alpha"}, {"alpha"})},
      {"member", make(Role::internal_user, "m", {}, {"A"}, {}, {"alpha"})},
      {"outsider", make(Role::internal_user, "o", {}, {"A"}, {}, {})},
      {"other_org", make(Role::internal_user, "x", {}, {"B"}, {}, {"beta"})},
      {"user_viewer", make(Role::internal_user_viewer, "iv", {}, {"A"}, {}, {"alpha"})},
      {"service", service},
  };
}

const std::vector<std::string> kActorOrder = {"proxy_admin", "viewer",    "org_admin",   "team_admin", "member",
                                              "outsider",    "other_org", "user_viewer", "service"};

Target key(std::string owner, std::string team, std::string org) {
  Target t;
  t.resource = Resource::key;
  t.owner_user_id = std::move(owner);
  t.team_id = std::move(team);
  t.organization_id = std::move(org);
  if (!t.organization_id.empty() && !t.owner_user_id.empty()) t.user_org_ids = {t.organization_id};
  if (t.team_id.empty()) t.user_home_org_id = t.organization_id;  // a personal key in its user's own org
  return t;
}

Target missing(Resource resource) {
  Target t;
  t.resource = resource;
  t.exists = false;
  return t;
}

// A target per column; `own` columns depend on the actor.
using TargetFor = std::function<Target(const Actor&)>;

struct Table {
  std::vector<std::pair<std::string, TargetFor>> columns;
  std::map<std::string, std::vector<int>> expected;  // actor → status per column
};

void check(const char* what, Action action, const Table& table) {
  const auto all = actors();
  for (const auto& name : kActorOrder) {
    const auto& line = table.expected.at(name);
    REQUIRE(line.size() == table.columns.size());
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
      const Actor& actor = all.at(name);
      const Target target = table.columns[i].second(actor);
      INFO(what << ": " << name << " " << action_name(action) << " " << table.columns[i].first);
      CHECK(http_status(decide(actor, action, target)) == line[i]);
    }
  }
}

TargetFor fixed(Target t) {
  return [t](const Actor&) { return t; };
}

// ---- keys: own (a personal key of the actor, in its organization), a peer's key of team
// alpha, alpha's service-account key, a personal key of another org A user, a key of team
// beta (org B), a missing key.
Table key_table(std::map<std::string, std::vector<int>> expected) {
  return Table{
      {{"own",
        [](const Actor& a) { return key(a.user_id, "", a.member_org_ids.empty() ? "" : a.member_org_ids.front()); }},
       {"team_key", fixed(key("peer", "alpha", "A"))},
       {"team_sa", fixed(key("", "alpha", "A"))},
       {"org_key", fixed(key("apeer", "", "A"))},
       {"other_org", fixed(key("bpeer", "beta", "B"))},
       {"missing", fixed(missing(Resource::key))}},
      std::move(expected)};
}

}  // namespace

TEST_CASE("authz: keys — read", "[core][authz]") {
  //                               own  team team_sa org other missing
  check("keys", Action::read,
        key_table({
            {"proxy_admin", {200, 200, 200, 200, 200, 404}},
            {"viewer", {200, 200, 200, 200, 200, 404}},
            {"org_admin", {200, 200, 200, 200, 404, 404}},
            {"team_admin", {200, 200, 200, 404, 404, 404}},
            {"member", {200, 404, 404, 404, 404, 404}},
            {"outsider", {200, 404, 404, 404, 404, 404}},
            {"other_org", {200, 404, 404, 404, 404, 404}},
            {"user_viewer", {200, 404, 404, 404, 404, 404}},
            {"service", {403, 403, 403, 403, 403, 403}},
        }));
}

TEST_CASE("authz: keys — update alias, regenerate, delete", "[core][authz]") {
  const auto table = key_table({
      {"proxy_admin", {200, 200, 200, 200, 200, 404}},
      {"viewer", {403, 403, 403, 403, 403, 403}},
      {"org_admin", {200, 200, 200, 200, 404, 404}},
      {"team_admin", {200, 200, 200, 404, 404, 404}},
      {"member", {200, 404, 404, 404, 404, 404}},
      {"outsider", {200, 404, 404, 404, 404, 404}},
      {"other_org", {200, 404, 404, 404, 404, 404}},
      {"user_viewer", {403, 403, 403, 403, 403, 403}},
      {"service", {403, 403, 403, 403, 403, 403}},
  });
  for (auto action : {Action::update, Action::regenerate, Action::remove}) check("keys", action, table);
}

TEST_CASE("authz: keys — update limits, block: never on one's own key but as proxy_admin", "[core][authz]") {
  const auto table = key_table({
      {"proxy_admin", {200, 200, 200, 200, 200, 404}},
      {"viewer", {403, 403, 403, 403, 403, 403}},
      {"org_admin", {403, 200, 200, 200, 404, 404}},
      {"team_admin", {403, 200, 200, 404, 404, 404}},
      {"member", {403, 404, 404, 404, 404, 404}},
      {"outsider", {403, 404, 404, 404, 404, 404}},
      {"other_org", {403, 404, 404, 404, 404, 404}},
      {"user_viewer", {403, 403, 403, 403, 403, 403}},
      {"service", {403, 403, 403, 403, 403, 403}},
  });
  for (auto action : {Action::update_limits, Action::block}) check("keys", action, table);
  // A team admin's own key in its team is its own key first.
  const auto all = actors();
  CHECK(decide(all.at("team_admin"), Action::update_limits, key("ta", "alpha", "A")) == Decision::forbidden);
  CHECK(decide(all.at("team_admin"), Action::update, key("ta", "alpha", "A")) == Decision::allow);
}

TEST_CASE("authz: keys — create", "[core][authz]") {
  auto for_user = [](std::string user, std::string org) { return fixed(key(std::move(user), "", std::move(org))); };
  const Table table{
      {{"self",
        [](const Actor& a) { return key(a.user_id, "", a.member_org_ids.empty() ? "" : a.member_org_ids.front()); }},
       {"for_org_user", for_user("apeer", "A")},
       {"for_other_org_user", for_user("bpeer", "B")},
       {"team_alpha", fixed(key("", "alpha", "A"))},
       {"team_gamma", fixed(key("", "gamma", "A"))},
       {"team_beta", fixed(key("", "beta", "B"))},
       {"team_unknown", fixed(key("", "nope", ""))},
       {"alpha_for_member", fixed(key("m", "alpha", "A"))}},
      {
          {"proxy_admin", {200, 200, 200, 200, 200, 200, 200, 200}},
          {"viewer", {403, 403, 403, 403, 403, 403, 403, 403}},
          {"org_admin", {200, 200, 403, 200, 200, 404, 404, 200}},
          {"team_admin", {200, 403, 403, 200, 404, 404, 404, 403}},
          {"member", {200, 403, 403, 403, 404, 404, 404, 403}},
          {"outsider", {200, 403, 403, 404, 404, 404, 404, 404}},
          {"other_org", {200, 403, 403, 404, 404, 403, 404, 404}},
          {"user_viewer", {403, 403, 403, 403, 403, 403, 403, 403}},
          {"service", {403, 403, 403, 403, 403, 403, 403, 403}},
      }};
  check("keys", Action::create, table);
}

// Whose a key is: the rights of its user, the budgets of its organization. Creating a key (and
// changing its user, team or organization) needs the right to administer that whole holder.
TEST_CASE("authz: keys — create decides the holder: user, role, organization", "[core][authz]") {
  auto holder = [](std::string owner, std::string team, std::string org, std::vector<std::string> user_orgs,
                   std::string home, Role role) {
    Target t = key(std::move(owner), std::move(team), std::move(org));
    t.user_org_ids = std::move(user_orgs);
    t.user_home_org_id = std::move(home);
    t.user_role = role;
    return fixed(t);
  };
  const Table table{{// another user's key in their own organization, for users of each role
                     {"org_user", holder("apeer", "", "A", {"A"}, "A", Role::internal_user)},
                     // a user of org A who also belongs to org B (a membership, or a team there)
                     {"org_user_also_in_B", holder("dual", "", "A", {"A", "B"}, "A", Role::internal_user)},
                     // a user of org A on a team in no organization
                     {"org_user_on_orgless_team", holder("loose", "", "A", {"A", ""}, "A", Role::internal_user)},
                     {"org_proxy_admin", holder("padm", "", "A", {"A"}, "A", Role::proxy_admin)},
                     {"org_viewer", holder("pview", "", "A", {"A"}, "A", Role::proxy_admin_viewer)},
                     {"org_org_admin", holder("oadm2", "", "A", {"A"}, "A", Role::org_admin)},
                     // a team key for a proxy_admin who joined team alpha
                     {"alpha_proxy_admin", holder("padm", "alpha", "A", {}, "", Role::proxy_admin)},
                     // a key for a user of org B on a team of org A
                     {"alpha_for_b_user", holder("bpeer", "alpha", "A", {"B"}, "B", Role::internal_user)},
                     // a personal key of an org A user billed to org B, or to no organization
                     {"org_user_in_B", holder("apeer", "", "B", {"A"}, "A", Role::internal_user)},
                     {"org_user_no_org", holder("apeer", "", "", {"A"}, "A", Role::internal_user)}},
                    {
                        {"proxy_admin", {200, 200, 200, 200, 200, 200, 200, 200, 200, 200}},
                        {"viewer", {403, 403, 403, 403, 403, 403, 403, 403, 403, 403}},
                        {"org_admin", {200, 403, 403, 403, 403, 403, 403, 403, 403, 403}},
                        {"team_admin", {403, 403, 403, 403, 403, 403, 403, 403, 403, 403}},
                        {"member", {403, 403, 403, 403, 403, 403, 403, 403, 403, 403}},
                        {"outsider", {403, 403, 403, 403, 403, 403, 404, 404, 403, 403}},
                        {"other_org", {403, 403, 403, 403, 403, 403, 404, 404, 403, 403}},
                        {"user_viewer", {403, 403, 403, 403, 403, 403, 403, 403, 403, 403}},
                        {"service", {403, 403, 403, 403, 403, 403, 403, 403, 403, 403}},
                    }};
  check("keys", Action::create, table);

  // One's own personal key draws on one's own organization: naming another (or none) is
  // refused unless the actor administers that organization too.
  const auto all = actors();
  auto own_in = [](const Actor& a, std::string org) {
    Target t = key(a.user_id, "", std::move(org));
    t.user_org_ids = a.member_org_ids;
    t.user_home_org_id = a.member_org_ids.empty() ? "" : a.member_org_ids.front();
    t.user_role = a.role;
    return t;
  };
  CHECK(decide(all.at("member"), Action::create, own_in(all.at("member"), "A")) == Decision::allow);
  CHECK(decide(all.at("member"), Action::create, own_in(all.at("member"), "B")) == Decision::forbidden);
  CHECK(decide(all.at("member"), Action::create, own_in(all.at("member"), "")) == Decision::forbidden);
  CHECK(decide(all.at("org_admin"), Action::create, own_in(all.at("org_admin"), "B")) == Decision::forbidden);
  Actor two_orgs = all.at("org_admin");
  two_orgs.admin_org_ids = {"A", "C"};
  CHECK(decide(two_orgs, Action::create, own_in(two_orgs, "C")) == Decision::allow);
  CHECK(decide(all.at("proxy_admin"), Action::create, own_in(all.at("proxy_admin"), "B")) == Decision::allow);
}

namespace {

Target team(std::string id, std::string org) {
  Target t;
  t.resource = Resource::team;
  t.id = id;
  t.team_id = std::move(id);
  t.organization_id = std::move(org);
  return t;
}

Table team_table(std::map<std::string, std::vector<int>> expected) {
  return Table{{{"alpha", fixed(team("alpha", "A"))},
                {"gamma", fixed(team("gamma", "A"))},
                {"beta", fixed(team("beta", "B"))},
                {"missing", fixed(missing(Resource::team))}},
               std::move(expected)};
}

}  // namespace

TEST_CASE("authz: teams", "[core][authz]") {
  //                        alpha gamma beta missing
  check("teams", Action::read,
        team_table({
            {"proxy_admin", {200, 200, 200, 404}},
            {"viewer", {200, 200, 200, 404}},
            {"org_admin", {200, 200, 404, 404}},
            {"team_admin", {200, 404, 404, 404}},
            {"member", {200, 404, 404, 404}},
            {"outsider", {404, 404, 404, 404}},
            {"other_org", {404, 404, 200, 404}},
            {"user_viewer", {200, 404, 404, 404}},
            {"service", {403, 403, 403, 403}},
        }));
  const auto manage = team_table({
      {"proxy_admin", {200, 200, 200, 404}},
      {"viewer", {403, 403, 403, 403}},
      {"org_admin", {200, 200, 404, 404}},
      {"team_admin", {403, 404, 404, 404}},
      {"member", {403, 404, 404, 404}},
      {"outsider", {404, 404, 404, 404}},
      {"other_org", {404, 404, 403, 404}},
      {"user_viewer", {403, 403, 403, 403}},
      {"service", {403, 403, 403, 403}},
  });
  for (auto action : {Action::update, Action::update_limits, Action::remove, Action::block}) {
    check("teams", action, manage);
  }
  check("teams", Action::manage_members,
        team_table({
            {"proxy_admin", {200, 200, 200, 404}},
            {"viewer", {403, 403, 403, 403}},
            {"org_admin", {200, 200, 404, 404}},
            {"team_admin", {200, 404, 404, 404}},
            {"member", {403, 404, 404, 404}},
            {"outsider", {404, 404, 404, 404}},
            {"other_org", {404, 404, 403, 404}},
            {"user_viewer", {403, 403, 403, 403}},
            {"service", {403, 403, 403, 403}},
        }));
  // /team/new: the organization named in the body.
  check(
      "teams", Action::create,
      Table{{{"in_A", fixed(team("new", "A"))}, {"in_B", fixed(team("new", "B"))}, {"no_org", fixed(team("new", ""))}},
            {
                {"proxy_admin", {200, 200, 200}},
                {"viewer", {403, 403, 403}},
                {"org_admin", {200, 403, 403}},
                {"team_admin", {403, 403, 403}},
                {"member", {403, 403, 403}},
                {"outsider", {403, 403, 403}},
                {"other_org", {403, 403, 403}},
                {"user_viewer", {403, 403, 403}},
                {"service", {403, 403, 403}},
            }});
}

namespace {

Target user(std::string id, std::vector<std::string> orgs, Role role = Role::internal_user) {
  Target t;
  t.resource = Resource::user;
  t.id = id;
  t.owner_user_id = std::move(id);
  t.user_org_ids = std::move(orgs);
  t.user_role = role;
  return t;
}

Table user_table(std::map<std::string, std::vector<int>> expected) {
  return Table{{{"self", [](const Actor& a) { return user(a.user_id, a.member_org_ids, a.role); }},
                {"alpha_user", fixed(user("au", {"A"}))},
                {"a_user", fixed(user("ax", {"A"}))},
                {"b_user", fixed(user("bx", {"B"}))},
                {"a_org_admin", fixed(user("aoa", {"A"}, Role::org_admin))},
                {"missing", fixed(missing(Resource::user))}},
               std::move(expected)};
}

}  // namespace

TEST_CASE("authz: users", "[core][authz]") {
  //                       self alpha a_user b_user a_org_admin missing
  check("users", Action::read,
        user_table({
            {"proxy_admin", {200, 200, 200, 200, 200, 404}},
            {"viewer", {200, 200, 200, 200, 200, 404}},
            {"org_admin", {200, 200, 200, 404, 200, 404}},
            {"team_admin", {200, 404, 404, 404, 404, 404}},
            {"member", {200, 404, 404, 404, 404, 404}},
            {"outsider", {200, 404, 404, 404, 404, 404}},
            {"other_org", {200, 404, 404, 404, 404, 404}},
            {"user_viewer", {200, 404, 404, 404, 404, 404}},
            {"service", {403, 403, 403, 403, 403, 403}},
        }));
  const auto manage = user_table({
      {"proxy_admin", {200, 200, 200, 200, 200, 404}},
      {"viewer", {403, 403, 403, 403, 403, 403}},
      {"org_admin", {403, 200, 200, 404, 403, 404}},
      {"team_admin", {403, 404, 404, 404, 404, 404}},
      {"member", {403, 404, 404, 404, 404, 404}},
      {"outsider", {403, 404, 404, 404, 404, 404}},
      {"other_org", {403, 404, 404, 404, 404, 404}},
      {"user_viewer", {403, 403, 403, 403, 403, 403}},
      {"service", {403, 403, 403, 403, 403, 403}},
  });
  for (auto action : {Action::update, Action::update_limits, Action::remove}) check("users", action, manage);
  // /user/new: the new user's organization and role, as the body asks.
  check("users", Action::create,
        Table{{{"in_A", fixed(user("n", {"A"}))},
               {"in_B", fixed(user("n", {"B"}))},
               {"no_org", fixed(user("n", {}))},
               {"org_admin_in_A", fixed(user("n", {"A"}, Role::org_admin))},
               {"proxy_admin", fixed(user("n", {}, Role::proxy_admin))},
               {"viewer_in_A", fixed(user("n", {"A"}, Role::proxy_admin_viewer))}},
              {
                  {"proxy_admin", {200, 200, 200, 200, 200, 200}},
                  {"viewer", {403, 403, 403, 403, 403, 403}},
                  {"org_admin", {200, 403, 403, 403, 403, 403}},
                  {"team_admin", {403, 403, 403, 403, 403, 403}},
                  {"member", {403, 403, 403, 403, 403, 403}},
                  {"outsider", {403, 403, 403, 403, 403, 403}},
                  {"other_org", {403, 403, 403, 403, 403, 403}},
                  {"user_viewer", {403, 403, 403, 403, 403, 403}},
                  {"service", {403, 403, 403, 403, 403, 403}},
              }});
}

namespace {

Target org(std::string id) {
  Target t;
  t.resource = Resource::organization;
  t.id = id;
  t.organization_id = std::move(id);
  return t;
}

Table org_table(std::map<std::string, std::vector<int>> expected) {
  return Table{{{"A", fixed(org("A"))}, {"B", fixed(org("B"))}, {"missing", fixed(missing(Resource::organization))}},
               std::move(expected)};
}

}  // namespace

TEST_CASE("authz: organizations", "[core][authz]") {
  //                                  A    B  missing
  check("organizations", Action::read,
        org_table({
            {"proxy_admin", {200, 200, 404}},
            {"viewer", {200, 200, 404}},
            {"org_admin", {200, 404, 404}},
            {"team_admin", {200, 404, 404}},
            {"member", {200, 404, 404}},
            {"outsider", {200, 404, 404}},
            {"other_org", {404, 200, 404}},
            {"user_viewer", {200, 404, 404}},
            {"service", {403, 403, 403}},
        }));
  const auto manage = org_table({
      {"proxy_admin", {200, 200, 404}},
      {"viewer", {403, 403, 403}},
      {"org_admin", {200, 404, 404}},
      {"team_admin", {403, 404, 404}},
      {"member", {403, 404, 404}},
      {"outsider", {403, 404, 404}},
      {"other_org", {404, 403, 404}},
      {"user_viewer", {403, 403, 403}},
      {"service", {403, 403, 403}},
  });
  for (auto action : {Action::update, Action::update_limits, Action::manage_members}) {
    check("organizations", action, manage);
  }
  check("organizations", Action::remove,
        org_table({
            {"proxy_admin", {200, 200, 404}},
            {"viewer", {403, 403, 403}},
            {"org_admin", {403, 404, 404}},
            {"team_admin", {403, 404, 404}},
            {"member", {403, 404, 404}},
            {"outsider", {403, 404, 404}},
            {"other_org", {404, 403, 404}},
            {"user_viewer", {403, 403, 403}},
            {"service", {403, 403, 403}},
        }));
  check("organizations", Action::create,
        Table{{{"new", fixed(org("N"))}},
              {{"proxy_admin", {200}},
               {"viewer", {403}},
               {"org_admin", {403}},
               {"team_admin", {403}},
               {"member", {403}},
               {"outsider", {403}},
               {"other_org", {403}},
               {"user_viewer", {403}},
               {"service", {403}}}});
}

namespace {

// A global object (no user, team or organization owns it): admins and viewers read it, admins
// write it, anyone else gets 403 whether or not it exists.
void check_global_object(const char* what, Resource resource, std::initializer_list<Action> updates) {
  Target object;
  object.resource = resource;
  const Table reads{{{"existing", fixed(object)}, {"missing", fixed(missing(resource))}},
                    {
                        {"proxy_admin", {200, 404}},
                        {"viewer", {200, 404}},
                        {"org_admin", {403, 403}},
                        {"team_admin", {403, 403}},
                        {"member", {403, 403}},
                        {"outsider", {403, 403}},
                        {"other_org", {403, 403}},
                        {"user_viewer", {403, 403}},
                        {"service", {403, 403}},
                    }};
  check(what, Action::read, reads);
  auto writes = reads;
  writes.expected["viewer"] = {403, 403};
  for (auto action : updates) check(what, action, writes);
  check(what, Action::remove, writes);
  writes.expected["proxy_admin"] = {200, 200};  // creating: the object does not exist yet
  check(what, Action::create, writes);
}

}  // namespace

TEST_CASE("authz: budgets and spend", "[core][authz]") {
  check_global_object("budgets", Resource::budget, {Action::update_limits});

  Target global;
  global.resource = Resource::global_spend;
  Target control;
  control.resource = Resource::control_plane;
  Target logs;
  logs.resource = Resource::spend_logs;
  const auto all = actors();
  for (const auto& name : kActorOrder) {
    const auto& a = all.at(name);
    INFO(name);
    const bool admin_or_viewer = name == "proxy_admin" || name == "viewer";
    CHECK(http_status(decide(a, Action::read, global)) == (admin_or_viewer ? 200 : 403));
    CHECK(http_status(decide(a, Action::read, control)) == (admin_or_viewer ? 200 : 403));
    CHECK(http_status(decide(a, Action::update, control)) == (name == "proxy_admin" ? 200 : 403));
    CHECK(http_status(decide(a, Action::read, logs)) == (name == "service" ? 403 : 200));
  }
}

TEST_CASE("authz: MCP servers — proxy_admin writes, admins and viewers read", "[core][authz][mcp]") {
  check_global_object("mcp servers", Resource::mcp_server, {Action::update});
}

TEST_CASE("authz: the role decides first — a call beyond the role is 403 whatever the target", "[core][authz]") {
  const auto all = actors();
  const std::vector<Target> targets = {
      key("peer", "alpha", "A"),      key("bpeer", "beta", "B"), missing(Resource::key),  team("beta", "B"),
      missing(Resource::team),        user("bx", {"B"}),         missing(Resource::user), org("B"),
      missing(Resource::organization)};
  const std::vector<Action> actions = {Action::create, Action::read,       Action::update, Action::update_limits,
                                       Action::remove, Action::regenerate, Action::block,  Action::manage_members};
  for (const auto& [name, actor] : all) {
    for (const auto& target : targets) {
      for (auto action : actions) {
        const auto by_role = decide_role(actor, target.resource, action);
        INFO(name << " " << action_name(action) << " " << resource_name(target.resource) << " " << target.id);
        if (by_role == Decision::forbidden) CHECK(decide(actor, action, target) == Decision::forbidden);
        // A missing target is never allowed, except as the thing being created.
        if (!target.exists && action != Action::create) CHECK(decide(actor, action, target) != Decision::allow);
      }
    }
  }
  // Who the role rules out: service accounts everywhere, read-only roles on every write.
  for (auto action : actions) {
    INFO(action_name(action));
    CHECK(decide_role(all.at("service"), Resource::key, action) == Decision::forbidden);
    const auto viewer_expected = action == Action::read ? Decision::allow : Decision::forbidden;
    CHECK(decide_role(all.at("viewer"), Resource::team, action) == viewer_expected);
    CHECK(decide_role(all.at("user_viewer"), Resource::key, action) == viewer_expected);
    CHECK(decide_role(all.at("member"), Resource::key, action) == Decision::allow);
  }
}

// /team/member_add: a membership lets its user mint keys on the team, so only users the actor
// administers join (a team admin: non-admin users of the team's organization).
TEST_CASE("authz: team members — who may join whose team", "[core][authz]") {
  auto person = [](std::vector<std::string> orgs, Role role) {
    Target t;
    t.resource = Resource::user;
    t.id = t.owner_user_id = "someone";
    t.user_org_ids = std::move(orgs);
    t.user_role = role;
    return t;
  };
  struct Column {
    std::string name;
    Target team;
    Target user;
  };
  const std::vector<Column> columns = {
      {"alpha+A_user", team("alpha", "A"), person({"A"}, Role::internal_user)},
      {"alpha+A_org_admin", team("alpha", "A"), person({"A"}, Role::org_admin)},
      {"alpha+A_proxy_admin", team("alpha", "A"), person({"A"}, Role::proxy_admin)},
      {"alpha+B_user", team("alpha", "A"), person({"B"}, Role::internal_user)},
      {"alpha+no_org_proxy_admin", team("alpha", "A"), person({}, Role::proxy_admin)},
      {"alpha+missing", team("alpha", "A"), missing(Resource::user)},
  };
  const std::map<std::string, std::vector<int>> expected = {
      {"proxy_admin", {200, 200, 200, 200, 200, 200}},
      {"org_admin", {200, 403, 403, 404, 404, 404}},
      {"team_admin", {200, 403, 403, 404, 404, 404}},
      {"member", {403, 403, 403, 404, 404, 404}},
  };
  const auto all = actors();
  for (const auto& [name, statuses] : expected) {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      INFO(name << " adds " << columns[i].name);
      CHECK(http_status(decide_team_member(all.at(name), columns[i].team, columns[i].user)) == statuses[i]);
    }
  }
}
