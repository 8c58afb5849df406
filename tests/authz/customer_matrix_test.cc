// The matrix for /customer/* and LiteLLM's /end_user/* aliases: end users are global objects
// like budgets (docs/authz.md): proxy_admins write them, admins and viewers read them, everyone
// else gets 403 whether or not the end user exists. Every cell acts on a fresh end user.
//
// End-user shapes: existing (a fresh end user), missing (an id nobody created).
#include <catch2/catch.hpp>

#include "persistence/record_json.h"
#include "persistence/store.h"
#include "tests/authz/matrix.h"

namespace tollgate::authz {
namespace {

using persistence::EndUserRecord;
using testing::HttpReply;

const std::vector<std::string> kShapes = {"existing", "missing"};

// clang-format off
const Grid kWrite{kShapes, {
    {"master",          {200, 404}},
    {"proxy_admin",     {200, 404}},
    {"admin_viewer",    {403, 403}},
    {"org_admin_a",     {403, 403}},
    {"org_admin_b",     {403, 403}},
    {"team_admin",      {403, 403}},
    {"member",          {403, 403}},
    {"outsider",        {403, 403}},
    {"cross_org",       {403, 403}},
    {"service_account", {403, 403}},
    {"user_viewer",     {403, 403}},
}};

// /customer/block and /customer/unblock create the end users they do not know (LiteLLM upserts).
const Grid kBlock{kShapes, {
    {"master",          {200, 200}},
    {"proxy_admin",     {200, 200}},
    {"admin_viewer",    {403, 403}},
    {"org_admin_a",     {403, 403}},
    {"org_admin_b",     {403, 403}},
    {"team_admin",      {403, 403}},
    {"member",          {403, 403}},
    {"outsider",        {403, 403}},
    {"cross_org",       {403, 403}},
    {"service_account", {403, 403}},
    {"user_viewer",     {403, 403}},
}};

const Grid kRead{kShapes, {
    {"master",          {200, 404}},
    {"proxy_admin",     {200, 404}},
    {"admin_viewer",    {200, 404}},
    {"org_admin_a",     {403, 403}},
    {"org_admin_b",     {403, 403}},
    {"team_admin",      {403, 403}},
    {"member",          {403, 403}},
    {"outsider",        {403, 403}},
    {"cross_org",       {403, 403}},
    {"service_account", {403, 403}},
    {"user_viewer",     {403, 403}},
}};

const Grid kList{{"existing"}, {
    {"master", {200}}, {"proxy_admin", {200}}, {"admin_viewer", {200}}, {"org_admin_a", {403}},
    {"org_admin_b", {403}}, {"team_admin", {403}}, {"member", {403}}, {"outsider", {403}},
    {"cross_org", {403}}, {"service_account", {403}}, {"user_viewer", {403}},
}};

const Grid kNew{{"new"}, {
    {"master", {200}}, {"proxy_admin", {200}}, {"admin_viewer", {403}}, {"org_admin_a", {403}},
    {"org_admin_b", {403}}, {"team_admin", {403}}, {"member", {403}}, {"outsider", {403}},
    {"cross_org", {403}}, {"service_account", {403}}, {"user_viewer", {403}},
}};
// clang-format on

std::string fresh_end_user(World& w, const std::string& shape) {
  const std::string id = w.unique("cust-" + shape);
  if (shape == "existing") {
    EndUserRecord e;
    e.user_id = id;
    e.max_budget = 10;
    w.store().insert_end_user(e, persistence::AuditEntry{"matrix", "created", "", "", "", ""});
  }
  return id;
}

std::optional<EndUserRecord> find(World& w, const std::string& id) { return w.store().find_end_user(id); }

void check_unchanged(World& w, const std::string& id, const std::optional<EndUserRecord>& before) {
  const auto after = find(w, id);
  if (!before) {
    INFO("a refused call on a missing end user must not create it");
    CHECK_FALSE(after.has_value());
    return;
  }
  REQUIRE(after.has_value());
  CHECK(persistence::to_json(*after) == persistence::to_json(*before));
}

Prepare new_cell(const std::string& prefix) {
  return [prefix](World& w, const Actor& a) {
    const std::string id = w.unique("new-cust");
    Cell c = request(a, "POST", prefix + "new", Json().s("user_id", id).n("max_budget", 5).str());
    c.verify = [id](World& w, const HttpReply& r) {
      INFO("an end user exists exactly when /customer/new answered 200");
      CHECK(find(w, id).has_value() == (r.status == 200));
    };
    return c;
  };
}

Prepare info_cell(const std::string& prefix, const std::string& shape) {
  return [prefix, shape](World& w, const Actor& a) {
    const std::string id = fresh_end_user(w, shape);
    const auto before = find(w, id);
    Cell c = request(a, "GET", prefix + "info?end_user_id=" + url_encode(id), "");
    c.verify = [id, before](World& w, const HttpReply& r) {
      if (r.status == 200) CHECK(json_string(r.body, "user_id") == id);
      check_unchanged(w, id, before);
    };
    return c;
  };
}

Prepare list_cell(const std::string& prefix, const std::string& shape) {
  return [prefix, shape](World& w, const Actor& a) {
    const std::string id = fresh_end_user(w, shape);
    Cell c = request(a, "GET", prefix + "list", "");
    c.verify = [id](World&, const HttpReply& r) {
      if (r.status == 200) CHECK(lists(r.body, "", "user_id", id));
    };
    return c;
  };
}

Prepare update_cell(const std::string& prefix, const std::string& shape) {
  return [prefix, shape](World& w, const Actor& a) {
    const std::string id = fresh_end_user(w, shape);
    const auto before = find(w, id);
    Cell c = request(a, "POST", prefix + "update", Json().s("user_id", id).n("max_budget", 42.5).str());
    c.verify = [id, before](World& w, const HttpReply& r) {
      if (r.status != 200) return check_unchanged(w, id, before);
      const auto after = find(w, id);
      REQUIRE(after.has_value());
      CHECK(after->max_budget == 42.5);
    };
    return c;
  };
}

Prepare delete_cell(const std::string& prefix, const std::string& shape) {
  return [prefix, shape](World& w, const Actor& a) {
    const std::string id = fresh_end_user(w, shape);
    const auto before = find(w, id);
    Cell c = request(a, "POST", prefix + "delete", Json().strings("user_ids", {id}).str());
    c.verify = [id, before](World& w, const HttpReply& r) {
      if (r.status != 200) return check_unchanged(w, id, before);
      CHECK_FALSE(find(w, id).has_value());
    };
    return c;
  };
}

Prepare block_cell(const std::string& prefix, const std::string& route, const std::string& shape) {
  return [prefix, route, shape](World& w, const Actor& a) {
    const std::string id = fresh_end_user(w, shape);
    const auto before = find(w, id);
    Cell c = request(a, "POST", prefix + route, Json().strings("user_ids", {id}).str());
    c.verify = [id, before, blocked = route == "block"](World& w, const HttpReply& r) {
      if (r.status != 200) return check_unchanged(w, id, before);
      const auto after = find(w, id);
      REQUIRE(after.has_value());
      CHECK(after->blocked == blocked);
    };
    return c;
  };
}

}  // namespace

std::vector<Row> customer_rows() {
  std::vector<Row> rows;
  for (const std::string prefix : {"/customer/", "/end_user/"}) {
    add_rows(rows, "POST", prefix + "new", "", kNew, false, [prefix](const std::string&) { return new_cell(prefix); });
    add_rows(rows, "GET", prefix + "info", "", kRead, true,
             [prefix](const std::string& shape) { return info_cell(prefix, shape); });
    add_rows(rows, "GET", prefix + "list", "", kList, true,
             [prefix](const std::string& shape) { return list_cell(prefix, shape); });
    add_rows(rows, "POST", prefix + "update", "", kWrite, false,
             [prefix](const std::string& shape) { return update_cell(prefix, shape); });
    add_rows(rows, "POST", prefix + "delete", "", kWrite, false,
             [prefix](const std::string& shape) { return delete_cell(prefix, shape); });
    for (const std::string route : {"block", "unblock"}) {
      add_rows(rows, "POST", prefix + route, "", kBlock, false,
               [prefix, route](const std::string& shape) { return block_cell(prefix, route, shape); });
    }
  }
  return rows;
}

}  // namespace tollgate::authz

TEST_CASE("authz matrix: customers (end users)", "[authz][customers]") {
  tollgate::authz::run_rows("customers", tollgate::authz::customer_rows());
}
