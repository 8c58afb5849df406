// The matrix for the control plane (docs/authz.md, "Control plane"): /config/reload is
// proxy_admin's alone; /audit is read by proxy_admins and proxy_admin_viewers. Everyone else
// gets 403 (auth_error), whatever the target: there is no existence to hide.
#include <catch2/catch.hpp>

#include "persistence/store.h"
#include "tests/authz/matrix.h"

namespace tollgate::authz {
namespace {

using testing::HttpReply;

// clang-format off
const Grid kReload{{"file"}, {
    {"master", {200}}, {"proxy_admin", {200}}, {"admin_viewer", {403}}, {"org_admin_a", {403}},
    {"org_admin_b", {403}}, {"team_admin", {403}}, {"member", {403}}, {"outsider", {403}},
    {"cross_org", {403}}, {"service_account", {403}}, {"user_viewer", {403}},
}};

const Grid kAudit{{"log"}, {
    {"master", {200}}, {"proxy_admin", {200}}, {"admin_viewer", {200}}, {"org_admin_a", {403}},
    {"org_admin_b", {403}}, {"team_admin", {403}}, {"member", {403}}, {"outsider", {403}},
    {"cross_org", {403}}, {"service_account", {403}}, {"user_viewer", {403}},
}};
// clang-format on

std::size_t reload_rows(World& w) { return w.store().audit_log(std::string("model_list"), 100000).size(); }

// Reloads the world's unchanged file: the audit log gains a row exactly when it answered 200.
Prepare reload_cell(const std::string&) {
  return [](World& w, const Actor& a) {
    const auto before = reload_rows(w);
    Cell c = request(a, "POST", "/config/reload", "");
    c.verify = [before](World& w, const HttpReply& r) {
      CHECK(reload_rows(w) == before + (r.status == 200 ? 1 : 0));
      if (r.status == 403) CHECK_THAT(r.body, Catch::Contains(R"("type":"auth_error")"));
    };
    return c;
  };
}

Prepare audit_cell(const std::string&) {
  return [](World&, const Actor& a) {
    Cell c = request(a, "GET", "/audit?limit=5", "");
    c.verify = [](World&, const HttpReply& r) {
      if (r.status == 200) CHECK(r.body.rfind(R"({"data":[)", 0) == 0);
    };
    return c;
  };
}

}  // namespace

std::vector<Row> control_plane_rows() {
  std::vector<Row> rows;
  add_rows(rows, "POST", "/config/reload", "", kReload, false, reload_cell);
  add_rows(rows, "GET", "/audit", "", kAudit, true, audit_cell);
  return rows;
}

}  // namespace tollgate::authz

TEST_CASE("authz matrix: control plane", "[authz][control_plane]") {
  tollgate::authz::run_rows("control_plane", tollgate::authz::control_plane_rows());
}
