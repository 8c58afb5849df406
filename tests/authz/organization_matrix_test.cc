// The matrix for /organization/*: every endpoint × actor × organization shape, statuses from
// docs/authz.md (Organizations), effects read back through the Store. Every cell acts on a
// fresh organization.
//
// Organization shapes:
//   own      a fresh organization in which the actor (a fresh clone of it) is a member with
//            its organization role: org_admin for the org_admins, else its user role
//            (NA for actors without an organization)
//   other    a fresh organization the actor is not in
//   missing  an organization that does not exist
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "persistence/store.h"
#include "tests/authz/matrix.h"
#include "tests/authz/record_diff.h"

namespace tollgate::authz {
namespace {

using persistence::OrganizationRecord;
using persistence::OrgMember;
using testing::HttpReply;

const std::vector<std::string> kOrgShapes = {"own", "other", "missing"};

// clang-format off
// Organizations are visible to admins and viewers and their members.
//                          own  other missing
const Grid kRead{kOrgShapes, {
    {"master",          {NA,  200, 404}},
    {"proxy_admin",     {NA,  200, 404}},
    {"admin_viewer",    {NA,  200, 404}},
    {"org_admin_a",     {200, 404, 404}},
    {"org_admin_b",     {200, 404, 404}},
    {"team_admin",      {200, 404, 404}},
    {"member",          {200, 404, 404}},
    {"outsider",        {200, 404, 404}},
    {"cross_org",       {200, 404, 404}},
    {"service_account", {NA,  403, 403}},
    {"user_viewer",     {200, 404, 404}},
}};

const Grid kList{kOrgShapes, {
    {"master",          {NA,  200, NA}},
    {"proxy_admin",     {NA,  200, NA}},
    {"admin_viewer",    {NA,  200, NA}},
    {"org_admin_a",     {200, 200, NA}},
    {"org_admin_b",     {200, 200, NA}},
    {"team_admin",      {200, 200, NA}},
    {"member",          {200, 200, NA}},
    {"outsider",        {200, 200, NA}},
    {"cross_org",       {200, 200, NA}},
    {"service_account", {NA,  403, NA}},
    {"user_viewer",     {200, 200, NA}},
}};

// /organization/update, /organization/member_add, /organization/member_update,
// /organization/member_delete: proxy_admin and the organization's org_admins.
const Grid kManage{kOrgShapes, {
    {"master",          {NA,  200, 404}},
    {"proxy_admin",     {NA,  200, 404}},
    {"admin_viewer",    {NA,  403, 403}},
    {"org_admin_a",     {200, 404, 404}},
    {"org_admin_b",     {200, 404, 404}},
    {"team_admin",      {403, 404, 404}},
    {"member",          {403, 404, 404}},
    {"outsider",        {403, 404, 404}},
    {"cross_org",       {403, 404, 404}},
    {"service_account", {NA,  403, 403}},
    {"user_viewer",     {403, 403, 403}},
}};

// /organization/member_add of a user the org_admin does not manage (not in its organizations),
// or with an administrator role, and /organization/member_delete of an org_admin: only a
// proxy_admin.
const Grid kManageBeyond{kOrgShapes, {
    {"master",          {NA,  200, 404}},
    {"proxy_admin",     {NA,  200, 404}},
    {"admin_viewer",    {NA,  403, 403}},
    {"org_admin_a",     {404, 404, 404}},
    {"org_admin_b",     {404, 404, 404}},
    {"team_admin",      {403, 404, 404}},
    {"member",          {403, 404, 404}},
    {"outsider",        {403, 404, 404}},
    {"cross_org",       {403, 404, 404}},
    {"service_account", {NA,  403, 403}},
    {"user_viewer",     {403, 403, 403}},
}};
const Grid kGrantAdmin{kOrgShapes, {
    {"master",          {NA,  200, 404}},
    {"proxy_admin",     {NA,  200, 404}},
    {"admin_viewer",    {NA,  403, 403}},
    {"org_admin_a",     {403, 404, 404}},
    {"org_admin_b",     {403, 404, 404}},
    {"team_admin",      {403, 404, 404}},
    {"member",          {403, 404, 404}},
    {"outsider",        {403, 404, 404}},
    {"cross_org",       {403, 404, 404}},
    {"service_account", {NA,  403, 403}},
    {"user_viewer",     {403, 403, 403}},
}};

// /organization/delete: proxy_admin only (its own org_admins may not).
const Grid kDelete{kOrgShapes, {
    {"master",          {NA,  200, 404}},
    {"proxy_admin",     {NA,  200, 404}},
    {"admin_viewer",    {NA,  403, 403}},
    {"org_admin_a",     {403, 404, 404}},
    {"org_admin_b",     {403, 404, 404}},
    {"team_admin",      {403, 404, 404}},
    {"member",          {403, 404, 404}},
    {"outsider",        {403, 404, 404}},
    {"cross_org",       {403, 404, 404}},
    {"service_account", {NA,  403, 403}},
    {"user_viewer",     {403, 403, 403}},
}};

// /organization/new: proxy_admin only.
const Grid kNew{{"new"}, {
    {"master", {200}}, {"proxy_admin", {200}}, {"admin_viewer", {403}}, {"org_admin_a", {403}},
    {"org_admin_b", {403}}, {"team_admin", {403}}, {"member", {403}}, {"outsider", {403}},
    {"cross_org", {403}}, {"service_account", {403}}, {"user_viewer", {403}},
}};
// clang-format on

struct FreshOrg {
  std::string id;
  Actor caller;
  std::string member;  // a member (internal_user) other than the caller
};

FreshOrg fresh_org(World& w, const Actor& a, const std::string& shape, bool with_member = false) {
  FreshOrg o{"", a, ""};
  if (shape == "missing") {
    o.id = w.unique("org-missing");
    return o;
  }
  o.id = w.unique("org-" + shape);
  w.create_org(o.id);
  if (with_member) o.member = w.create_member_user("org-member", "internal_user", {}, {{o.id, "internal_user"}});
  if (shape == "own") o.caller = w.clone(a, {}, {{o.id, a.org_role()}});
  return o;
}

struct OrgState {
  std::optional<OrganizationRecord> org;
  std::vector<OrgMember> members;
};

OrgState state(World& w, const std::string& id) {
  return OrgState{w.store().find_organization(id), w.store().organization_members(id)};
}

void check_unchanged(World& w, const std::string& id, const OrgState& before) {
  const auto after = state(w, id);
  if (!before.org) {
    INFO("a call on a missing organization must not create it");
    CHECK_FALSE(after.org.has_value());
    return;
  }
  REQUIRE(after.org.has_value());
  check_no_change(diff(*before.org, *after.org));
  INFO("the members must be unchanged");
  CHECK(diff(before.members, after.members).empty());
}

bool has_member(const std::vector<OrgMember>& members, const std::string& user_id, const std::string& role) {
  for (const auto& m : members) {
    if (m.user_id == user_id && (role.empty() || m.user_role == role)) return true;
  }
  return false;
}

Prepare info_cell(const std::string& shape) {
  return [shape](World& w, const Actor& a) {
    const auto o = fresh_org(w, a, shape);
    const auto before = state(w, o.id);
    Cell c = request(o.caller, "GET", "/organization/info?organization_id=" + url_encode(o.id), "");
    c.verify = [o, before](World& w, const HttpReply& r) {
      if (r.status == 200) CHECK(json_string(r.body, "organization_id") == o.id);
      check_unchanged(w, o.id, before);
    };
    return c;
  };
}

Prepare list_cell(const std::string& shape) {
  return [shape](World& w, const Actor& a) {
    const auto o = fresh_org(w, a, shape);
    Cell c = request(o.caller, "GET", "/organization/list", "");
    const bool visible = kRead.at(a.name, shape) == 200;
    c.verify = [o, visible](World&, const HttpReply& r) {
      if (r.status != 200) return;
      INFO((visible ? "the organization must be listed" : "the organization must not be listed"));
      CHECK(lists(r.body, "", "organization_id", o.id) == visible);
    };
    return c;
  };
}

Prepare new_cell(const std::string&) {
  return [](World& w, const Actor& a) {
    const std::string id = w.unique("new-org");
    Cell c = request(a, "POST", "/organization/new", Json().s("organization_id", id).s("organization_alias", id).str());
    c.verify = [id](World& w, const HttpReply& r) {
      const auto org = w.store().find_organization(id);
      if (r.status != 200) {
        INFO("a denied /organization/new must store no organization");
        CHECK_FALSE(org.has_value());
        return;
      }
      CHECK(org.has_value());
    };
    return c;
  };
}

Prepare update_cell(const std::string& shape, const std::string& method, bool limits) {
  return [shape, method, limits](World& w, const Actor& a) {
    const auto o = fresh_org(w, a, shape);
    const auto before = state(w, o.id);
    const std::string alias = w.unique("renamed");
    Json body;
    body.s("organization_id", o.id);
    if (limits)
      body.n("max_budget", 42.5);
    else
      body.s("organization_alias", alias);
    Cell c = request(o.caller, method, "/organization/update", body.str());
    c.verify = [o, before, limits, alias](World& w, const HttpReply& r) {
      if (r.status != 200) return check_unchanged(w, o.id, before);
      REQUIRE(before.org.has_value());
      const auto after = state(w, o.id);
      REQUIRE(after.org.has_value());
      check_exact_change(diff(*before.org, *after.org), {limits ? "max_budget" : "organization_alias"});
      CHECK(diff(before.members, after.members).empty());
      if (limits)
        CHECK(after.org->max_budget == 42.5);
      else
        CHECK(after.org->organization_alias == alias);
    };
    return c;
  };
}

Prepare delete_cell(const std::string& shape, const std::string& method) {
  return [shape, method](World& w, const Actor& a) {
    const auto o = fresh_org(w, a, shape, true);
    const auto before = state(w, o.id);
    Cell c = request(o.caller, method, "/organization/delete", Json().strings("organization_ids", {o.id}).str());
    c.verify = [o, before](World& w, const HttpReply& r) {
      if (r.status != 200) return check_unchanged(w, o.id, before);
      INFO("a deleted organization is gone with its memberships");
      const auto after = state(w, o.id);
      CHECK_FALSE(after.org.has_value());
      CHECK(after.members.empty());
    };
    return c;
  };
}

// Whom a member_add cell adds: "managed" — a fresh user of the actor's own organization (one
// an org_admin manages); "foreign" — a fresh user of an organization the actor does not
// administer; "as_admin" — a managed user, with the org_admin role.
Prepare member_add_cell(const std::string& shape, const std::string& whom) {
  return [shape, whom](World& w, const Actor& a) {
    const auto o = fresh_org(w, a, shape);
    std::string home = a.org().empty() ? kOrgA : a.org();
    if (whom == "foreign") home = home == kOrgA ? kOrgB : kOrgA;
    const std::string user = w.create_member_user("joiner", "internal_user", {}, {{home, "internal_user"}});
    const std::string role = whom == "as_admin" ? "org_admin" : "internal_user";
    const auto before = state(w, o.id);
    const std::string member = Json().s("user_id", user).s("role", role).str();
    Cell c = request(o.caller, "POST", "/organization/member_add",
                     Json().s("organization_id", o.id).raw("member", "[" + member + "]").str());
    c.verify = [o, before, user, role](World& w, const HttpReply& r) {
      if (r.status != 200) return check_unchanged(w, o.id, before);
      const auto after = state(w, o.id);
      REQUIRE(after.org.has_value());
      check_exact_change(diff(*before.org, *after.org), {});
      CHECK(has_member(after.members, user, role));
      CHECK(after.members.size() == before.members.size() + 1);
    };
    return c;
  };
}

// Removes a fresh member of the organization: an internal_user, or (as_admin) one of its
// org_admins, which only a proxy_admin may remove.
Prepare member_delete_cell(const std::string& shape, bool as_admin) {
  return [shape, as_admin](World& w, const Actor& a) {
    auto o = fresh_org(w, a, shape, !as_admin);
    if (as_admin && shape != "missing") {
      o.member = w.create_member_user("org-admin-member", "org_admin", {}, {{o.id, "org_admin"}});
    }
    const std::string user = o.member.empty() ? w.unique("user-missing") : o.member;
    const auto before = state(w, o.id);
    Cell c = request(o.caller, "POST", "/organization/member_delete",
                     Json().s("organization_id", o.id).s("user_id", user).str());
    c.verify = [o, before, user](World& w, const HttpReply& r) {
      if (r.status != 200) return check_unchanged(w, o.id, before);
      const auto after = state(w, o.id);
      REQUIRE(after.org.has_value());
      check_exact_change(diff(*before.org, *after.org), {});
      CHECK_FALSE(has_member(after.members, user, ""));
      CHECK(after.members.size() + 1 == before.members.size());
    };
    return c;
  };
}

// PATCH /organization/member_update of a fresh internal_user member: to internal_user_viewer
// (as /organization/member_add of that role), or to org_admin, which only a proxy_admin grants.
Prepare member_update_cell(const std::string& shape, bool to_admin) {
  return [shape, to_admin](World& w, const Actor& a) {
    const auto o = fresh_org(w, a, shape, true);
    const std::string user = o.member.empty() ? w.unique("user-missing") : o.member;
    const std::string role = to_admin ? "org_admin" : "internal_user_viewer";
    const auto before = state(w, o.id);
    Cell c = request(o.caller, "PATCH", "/organization/member_update",
                     Json().s("organization_id", o.id).s("user_id", user).s("role", role).str());
    c.verify = [o, before, user, role](World& w, const HttpReply& r) {
      if (r.status != 200) return check_unchanged(w, o.id, before);
      const auto after = state(w, o.id);
      REQUIRE(after.org.has_value());
      check_exact_change(diff(*before.org, *after.org), {});
      CHECK(has_member(after.members, user, role));
      CHECK(after.members.size() == before.members.size());
    };
    return c;
  };
}

}  // namespace

std::vector<Row> organization_rows() {
  std::vector<Row> rows;
  add_rows(rows, "POST", "/organization/new", "", kNew, false, new_cell);
  add_rows(rows, "GET", "/organization/info", "", kRead, true, info_cell);
  add_rows(rows, "GET", "/organization/list", "", kList, true, list_cell);
  for (const char* method : {"POST", "PATCH"}) {
    add_rows(rows, method, "/organization/update", "alias", kManage, false,
             [method](const std::string& s) { return update_cell(s, method, false); });
    add_rows(rows, method, "/organization/update", "limits", kManage, false,
             [method](const std::string& s) { return update_cell(s, method, true); });
  }
  for (const char* method : {"POST", "DELETE"}) {
    add_rows(rows, method, "/organization/delete", "", kDelete, false,
             [method](const std::string& s) { return delete_cell(s, method); });
  }
  add_rows(rows, "POST", "/organization/member_add", "a user it manages", kManage, false,
           [](const std::string& s) { return member_add_cell(s, "managed"); });
  add_rows(rows, "POST", "/organization/member_add", "a user of another org", kManageBeyond, false,
           [](const std::string& s) { return member_add_cell(s, "foreign"); });
  add_rows(rows, "POST", "/organization/member_add", "as org_admin", kGrantAdmin, false,
           [](const std::string& s) { return member_add_cell(s, "as_admin"); });
  add_rows(rows, "PATCH", "/organization/member_update", "to internal_user_viewer", kManage, false,
           [](const std::string& s) { return member_update_cell(s, false); });
  add_rows(rows, "PATCH", "/organization/member_update", "to org_admin", kGrantAdmin, false,
           [](const std::string& s) { return member_update_cell(s, true); });
  add_rows(rows, "POST", "/organization/member_delete", "a member", kManage, false,
           [](const std::string& s) { return member_delete_cell(s, false); });
  add_rows(rows, "POST", "/organization/member_delete", "an org_admin", kGrantAdmin, false,
           [](const std::string& s) { return member_delete_cell(s, true); });
  return rows;
}

}  // namespace tollgate::authz

TEST_CASE("authz matrix: organizations", "[authz][organizations]") {
  tollgate::authz::run_rows("organizations", tollgate::authz::organization_rows());
}
