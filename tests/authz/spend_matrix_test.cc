// The matrix for /spend/logs, /global/spend and /global/spend/report (docs/authz.md, Budgets and spend): admins
// and viewers read all spend; anyone else the logs of keys it can see (404 for a key it
// cannot see, like /key/info); service accounts nothing (403).
//
// /spend/logs?api_key= uses the key shapes of tests/authz/key_matrix_test.cc, on keys that
// made one request each (so each has a spend log). Reads only: the keys are made once.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <chrono>
#include <map>
#include <thread>

#include "persistence/store.h"
#include "tests/authz/matrix.h"

namespace tollgate::authz {
namespace {

using testing::HttpReply;

const std::vector<std::string> kKeyShapes = {"own",    "alpha_peer", "alpha_sa",  "gamma_sa",
                                             "a_peer", "dual_peer",  "beta_peer", "missing"};

// clang-format off
//                          own  alpha_peer alpha_sa gamma_sa a_peer dual_peer beta_peer missing
const Grid kLogsOfKey{kKeyShapes, {
    {"master",          {NA,  200, 200, 200, 200, 200, 200, 200}},
    {"proxy_admin",     {200, 200, 200, 200, 200, 200, 200, 200}},
    {"admin_viewer",    {200, 200, 200, 200, 200, 200, 200, 200}},
    {"org_admin_a",     {200, 200, 200, 200, 200, 404, 404, 404}},
    {"org_admin_b",     {200, 404, 404, 404, 404, 200, 200, 404}},
    {"team_admin",      {200, 200, 200, 404, 404, 404, 404, 404}},
    {"member",          {200, 404, 404, 404, 404, 404, 404, 404}},
    {"outsider",        {200, 404, 404, 404, 404, 404, 404, 404}},
    {"cross_org",       {200, 404, 404, 404, 404, 404, 404, 404}},
    {"service_account", {NA,  403, 403, 403, 403, 403, 403, 403}},
    {"user_viewer",     {200, 404, 404, 404, 404, 404, 404, 404}},
}};

// No filter: admins and viewers get all logs, anyone else only its own key's.
const Grid kLogs{{"caller"}, {
    {"master", {200}}, {"proxy_admin", {200}}, {"admin_viewer", {200}}, {"org_admin_a", {200}},
    {"org_admin_b", {200}}, {"team_admin", {200}}, {"member", {200}}, {"outsider", {200}},
    {"cross_org", {200}}, {"service_account", {403}}, {"user_viewer", {200}},
}};

const Grid kGlobal{{"global"}, {
    {"master", {200}}, {"proxy_admin", {200}}, {"admin_viewer", {200}}, {"org_admin_a", {403}},
    {"org_admin_b", {403}}, {"team_admin", {403}}, {"member", {403}}, {"outsider", {403}},
    {"cross_org", {403}}, {"service_account", {403}}, {"user_viewer", {403}},
}};
// clang-format on

// The keys the /spend/logs cells filter on, each with at least one spend log: made on first
// use for every actor's "own" shape and every shared shape, then one request each, then a wait
// until the spend writer has flushed all their logs.
const Key& logged_key(World& w, const Actor& a, const std::string& shape) {
  static std::map<std::string, Key> keys;
  if (keys.empty()) {
    for (const auto& name : actor_names()) {
      const auto& actor = w.actor(name);
      if (actor.has_user()) keys["own:" + name] = make_key_of_shape(w, actor, "own");
    }
    for (const auto& s : kKeyShapes) {
      if (s != "own") keys[s] = make_key_of_shape(w, w.actor("master"), s);
    }
    for (const auto& [name, key] : keys) {
      if (name != "missing" && w.chat_status(key.cleartext) != 200) FAIL("a spend probe key did not work: " << name);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    for (const auto& [name, key] : keys) {
      if (name == "missing") continue;
      persistence::SpendLogFilter filter;
      filter.api_key = key.hash;
      while (w.store().spend_logs(filter, 1).empty()) {
        if (std::chrono::steady_clock::now() > deadline) FAIL("no spend log appeared for " << name);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  }
  return keys.at(shape == "own" ? "own:" + a.name : shape);
}

// Every log of the reply belongs to `hash` (and there is at least one when `some`).
void check_logs_of(const HttpReply& r, const std::string& hash, bool some) {
  rapidjson::Document d;
  d.Parse(r.body.c_str());
  REQUIRE(d.IsArray());
  if (some) CHECK(d.Size() > 0);
  for (const auto& log : d.GetArray()) {
    REQUIRE((log.IsObject() && log.HasMember("api_key") && log["api_key"].IsString()));
    INFO("a spend log of another key was returned");
    CHECK(std::string(log["api_key"].GetString()) == hash);
  }
}

Prepare logs_of_key_cell(const std::string& shape) {
  return [shape](World& w, const Actor& a) {
    const Key key = logged_key(w, a, shape);
    Cell c = request(a, "GET", "/spend/logs?api_key=" + key.hash, "");
    c.verify = [key, shape](World&, const HttpReply& r) {
      if (r.status == 200) check_logs_of(r, key.hash, shape != "missing");
    };
    return c;
  };
}

Prepare logs_cell(const std::string&) {
  return [](World&, const Actor& a) {
    Cell c = request(a, "GET", "/spend/logs", "");
    const bool everything = a.master || a.user_role == "proxy_admin" || a.user_role == "proxy_admin_viewer";
    c.verify = [everything, hash = a.key.hash](World&, const HttpReply& r) {
      if (r.status != 200) return;
      if (everything) {
        rapidjson::Document d;
        d.Parse(r.body.c_str());
        CHECK(d.IsArray());
        return;
      }
      check_logs_of(r, hash, false);
    };
    return c;
  };
}

Prepare global_cell(const std::string&) {
  return [](World&, const Actor& a) {
    Cell c = request(a, "GET", "/global/spend", "");
    c.verify = [](World&, const HttpReply& r) {
      if (r.status == 200) CHECK(r.body.find("\"spend\"") != std::string::npos);
    };
    return c;
  };
}

Prepare global_report_cell(const std::string&) {
  return [](World&, const Actor& a) {
    Cell c = request(a, "GET", "/global/spend/report?start_date=2000-01-01&end_date=2100-01-01", "");
    c.verify = [](World&, const HttpReply& r) {
      if (r.status != 200) return;
      rapidjson::Document d;
      d.Parse(r.body.c_str());
      CHECK(d.IsArray());
    };
    return c;
  };
}

}  // namespace

std::vector<Row> spend_rows() {
  std::vector<Row> rows;
  add_rows(rows, "GET", "/spend/logs", "api_key filter", kLogsOfKey, true, logs_of_key_cell);
  add_rows(rows, "GET", "/spend/logs", "no filter", kLogs, true, logs_cell);
  add_rows(rows, "GET", "/global/spend", "", kGlobal, true, global_cell);
  add_rows(rows, "GET", "/global/spend/report", "", kGlobal, true, global_report_cell);
  return rows;
}

}  // namespace tollgate::authz

TEST_CASE("authz matrix: spend", "[authz][spend]") {
  tollgate::authz::run_rows("spend", tollgate::authz::spend_rows());
}
