// The matrix for /budget/*: global objects (docs/authz.md, Budgets and spend): proxy_admins
// write them, admins and viewers read them, everyone else gets 403 whether or not the budget
// exists. Every cell acts on a fresh budget.
//
// Budget shapes: existing (a fresh budget), missing (a budget id that does not exist).
#include <catch2/catch.hpp>

#include "persistence/store.h"
#include "tests/authz/matrix.h"
#include "tests/authz/record_diff.h"

namespace tollgate::authz {
namespace {

using persistence::BudgetRecord;
using testing::HttpReply;

const std::vector<std::string> kBudgetShapes = {"existing", "missing"};

// clang-format off
const Grid kWrite{kBudgetShapes, {
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

const Grid kRead{kBudgetShapes, {
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

std::string fresh_budget(World& w, const std::string& shape) {
  const std::string id = w.unique("budget-" + shape);
  if (shape == "existing") w.create_budget(id);
  return id;
}

std::optional<BudgetRecord> find(World& w, const std::string& id) { return w.store().find_budget(id); }

void check_unchanged(World& w, const std::string& id, const std::optional<BudgetRecord>& before) {
  const auto after = find(w, id);
  if (!before) {
    INFO("a call on a missing budget must not create it");
    CHECK_FALSE(after.has_value());
    return;
  }
  REQUIRE(after.has_value());
  check_no_change(diff(*before, *after));
}

Prepare new_cell(const std::string&) {
  return [](World& w, const Actor& a) {
    const std::string id = w.unique("new-budget");
    Cell c = request(a, "POST", "/budget/new", Json().s("budget_id", id).n("max_budget", 5).str());
    c.verify = [id](World& w, const HttpReply& r) {
      INFO("a budget exists exactly when /budget/new answered 200");
      CHECK(find(w, id).has_value() == (r.status == 200));
    };
    return c;
  };
}

Prepare info_cell(const std::string& shape) {
  return [shape](World& w, const Actor& a) {
    const std::string id = fresh_budget(w, shape);
    const auto before = find(w, id);
    Cell c = request(a, "POST", "/budget/info", Json().strings("budgets", {id}).str());
    c.verify = [id, before](World& w, const HttpReply& r) {
      if (r.status == 200) CHECK(lists(r.body, "", "budget_id", id));
      check_unchanged(w, id, before);
    };
    return c;
  };
}

Prepare list_cell(const std::string& shape) {
  return [shape](World& w, const Actor& a) {
    const std::string id = fresh_budget(w, shape);
    Cell c = request(a, "GET", "/budget/list", "");
    c.verify = [id](World&, const HttpReply& r) {
      if (r.status == 200) CHECK(lists(r.body, "", "budget_id", id));
    };
    return c;
  };
}

Prepare update_cell(const std::string& shape) {
  return [shape](World& w, const Actor& a) {
    const std::string id = fresh_budget(w, shape);
    const auto before = find(w, id);
    Cell c = request(a, "POST", "/budget/update", Json().s("budget_id", id).n("max_budget", 42.5).str());
    c.verify = [id, before](World& w, const HttpReply& r) {
      if (r.status != 200) return check_unchanged(w, id, before);
      REQUIRE(before.has_value());
      const auto after = find(w, id);
      REQUIRE(after.has_value());
      check_exact_change(diff(*before, *after), {"max_budget"});
      CHECK(after->max_budget == 42.5);
    };
    return c;
  };
}

Prepare delete_cell(const std::string& shape) {
  return [shape](World& w, const Actor& a) {
    const std::string id = fresh_budget(w, shape);
    const auto before = find(w, id);
    Cell c = request(a, "POST", "/budget/delete", Json().s("id", id).str());
    c.verify = [id, before](World& w, const HttpReply& r) {
      if (r.status != 200) return check_unchanged(w, id, before);
      CHECK_FALSE(find(w, id).has_value());
    };
    return c;
  };
}

}  // namespace

std::vector<Row> budget_rows() {
  std::vector<Row> rows;
  add_rows(rows, "POST", "/budget/new", "", kNew, false, new_cell);
  add_rows(rows, "POST", "/budget/info", "", kRead, true, info_cell);
  add_rows(rows, "GET", "/budget/list", "", kList, true, list_cell);
  add_rows(rows, "POST", "/budget/update", "", kWrite, false, update_cell);
  add_rows(rows, "POST", "/budget/delete", "", kWrite, false, delete_cell);
  return rows;
}

}  // namespace tollgate::authz

TEST_CASE("authz matrix: budgets", "[authz][budgets]") {
  tollgate::authz::run_rows("budgets", tollgate::authz::budget_rows());
}
