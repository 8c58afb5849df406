// The matrix for the control plane (docs/authz.md, "Control plane"): /config/reload is
// proxy_admin's alone; /audit is read by proxy_admins and proxy_admin_viewers. Everyone else
// gets 403 (auth_error), whatever the target: there is no existence to hide.
#include <catch2/catch.hpp>

#include <unistd.h>

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
// Models in the store: written by proxy_admins alone; /model/info answers every key (with the
// models it may use), so no cell there is refused.
const Grid kModelWrite{{"stored"}, {
    {"master", {200}}, {"proxy_admin", {200}}, {"admin_viewer", {403}}, {"org_admin_a", {403}},
    {"org_admin_b", {403}}, {"team_admin", {403}}, {"member", {403}}, {"outsider", {403}},
    {"cross_org", {403}}, {"service_account", {403}}, {"user_viewer", {403}},
}};

const Grid kModelRead{{"all"}, {
    {"master", {200}}, {"proxy_admin", {200}}, {"admin_viewer", {200}}, {"org_admin_a", {200}},
    {"org_admin_b", {200}}, {"team_admin", {200}}, {"member", {200}}, {"outsider", {200}},
    {"cross_org", {200}}, {"service_account", {200}}, {"user_viewer", {200}},
}};
// clang-format on

std::string fresh_model_id() {
  static int count = 0;
  return "authz-model-" + std::to_string(getpid()) + "-" + std::to_string(++count);
}

// A stored model for a write cell to change (written straight to the store).
std::string stored_model(World& w) {
  persistence::ModelRecord model;
  model.model_id = fresh_model_id();
  model.model_name = "authz-stored";
  model.litellm_params = R"({"model":"mock/authz-stored"})";
  model.model_info = R"({"id":")" + model.model_id + R"("})";
  persistence::AuditEntry audit;
  audit.changed_by = "authz-world";
  w.store().insert_model(model, audit);
  return model.model_id;
}

// The cell's effect: `present` is whether the model exists after a call answered 200.
void verify_model(Cell& c, const std::string& id, bool existed, bool present_after_200) {
  c.verify = [id, existed, present_after_200](World& w, const HttpReply& r) {
    const bool present = w.store().find_model(id).has_value();
    CHECK(present == (r.status == 200 ? present_after_200 : existed));
    if (r.status == 403) CHECK_THAT(r.body, Catch::Contains(R"("type":"auth_error")"));
  };
}

Prepare model_new_cell(const std::string&) {
  return [](World&, const Actor& a) {
    const auto id = fresh_model_id();
    Cell c = request(
        a, "POST", "/model/new",
        R"({"model_name":"authz-new","litellm_params":{"model":"mock/authz-new","api_key":"sk-authz-upstream"},)"
        R"("model_info":{"id":")" +
            id + R"("}})");
    verify_model(c, id, false, true);
    return c;
  };
}

Prepare model_update_cell(const std::string&) {
  return [](World& w, const Actor& a) {
    const auto id = stored_model(w);
    Cell c = request(a, "POST", "/model/update", R"({"model_info":{"id":")" + id + R"("},"litellm_params":{"rpm":5}})");
    verify_model(c, id, true, true);
    return c;
  };
}

Prepare model_patch_cell(const std::string&) {
  return [](World& w, const Actor& a) {
    const auto id = stored_model(w);
    Cell c = request(a, "PATCH", "/model/" + id + "/update", R"({"litellm_params":{"rpm":5}})");
    verify_model(c, id, true, true);
    return c;
  };
}

Prepare model_delete_cell(const std::string&) {
  return [](World& w, const Actor& a) {
    const auto id = stored_model(w);
    Cell c = request(a, "POST", "/model/delete", R"({"id":")" + id + R"("})");
    verify_model(c, id, true, false);
    return c;
  };
}

Prepare model_info_cell(const std::string& path) {
  return [path](World&, const Actor& a) {
    Cell c = request(a, "GET", path, "");
    c.verify = [](World&, const HttpReply& r) {
      if (r.status == 200) CHECK(r.body.rfind(R"({"data":[)", 0) == 0);
      CHECK(r.body.find("sk-authz-upstream") == std::string::npos);
    };
    return c;
  };
}

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
  add_rows(rows, "POST", "/model/new", "", kModelWrite, false, model_new_cell);
  add_rows(rows, "POST", "/model/update", "", kModelWrite, false, model_update_cell);
  add_rows(rows, "PATCH", "/model/{model_id}/update", "", kModelWrite, false, model_patch_cell);
  add_rows(rows, "POST", "/model/delete", "", kModelWrite, false, model_delete_cell);
  add_rows(rows, "GET", "/model/info", "", kModelRead, true,
           [](const std::string&) { return model_info_cell("/model/info"); });
  add_rows(rows, "GET", "/v2/model/info", "", kModelRead, true,
           [](const std::string&) { return model_info_cell("/v2/model/info"); });
  return rows;
}

}  // namespace tollgate::authz

TEST_CASE("authz matrix: control plane", "[authz][control_plane]") {
  tollgate::authz::run_rows("control_plane", tollgate::authz::control_plane_rows());
}
