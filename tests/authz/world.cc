#include "tests/authz/world.h"

#include <catch2/catch.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "api/gateway_context.h"
#include "api/routes.h"
#include "core/key_hash.h"
#include "http/method.h"
#include "http/router.h"
#include "persistence/store.h"
#include "tests/store/store_fixture.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

namespace tollgate::authz {
namespace {

using testing::HttpReply;

// Management paths the guard holds the matrix to (docs/authz.md covers these resources).
const char* const kManagementPrefixes[] = {"/key/",      "/team/",     "/user/",    "/organization/", "/budget/",
                                           "/spend/",    "/global/",   "/config/",  "/audit",         "/model/",
                                           "/v2/model/", "/customer/", "/end_user/"};

const char* kConfig = R"(
model_list:
  - model_name: mock-model
    litellm_params:
      model: mock/mock-model
      input_cost_per_token: 0
      output_cost_per_token: 0
general_settings:
  max_auth_failures_per_minute: 1000000
  store_model_in_db: true
  salt_key: authz-world-salt-key
)";

std::unique_ptr<World>& instance() {
  static std::unique_ptr<World> world;
  return world;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string random_hex(int n) {
  static std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < n; ++i) out.push_back(kHex[rng() % 16]);
  return out;
}

}  // namespace

const std::vector<std::string>& actor_names() {
  static const std::vector<std::string> names = {"master",      "proxy_admin",     "admin_viewer", "org_admin_a",
                                                 "org_admin_b", "team_admin",      "member",       "outsider",
                                                 "cross_org",   "service_account", "user_viewer"};
  return names;
}

// ---- Json ----

std::string quote(const std::string& text) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.String(text.c_str(), static_cast<rapidjson::SizeType>(text.size()));
  return {buffer.GetString(), buffer.GetSize()};
}

Json& Json::s(const std::string& name, const std::string& value) { return raw(name, quote(value)); }
Json& Json::n(const std::string& name, double value) {
  std::ostringstream out;
  out << value;
  return raw(name, out.str());
}
Json& Json::b(const std::string& name, bool value) { return raw(name, value ? "true" : "false"); }
Json& Json::raw(const std::string& name, const std::string& json) {
  fields_.emplace_back(name, json);
  return *this;
}
Json& Json::strings(const std::string& name, const std::vector<std::string>& values) {
  std::string json = "[";
  for (std::size_t i = 0; i < values.size(); ++i) json += (i ? "," : "") + quote(values[i]);
  return raw(name, json + "]");
}
bool Json::has(const std::string& name) const {
  for (const auto& f : fields_) {
    if (f.first == name) return true;
  }
  return false;
}
std::string Json::str() const {
  std::string out = "{";
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    out += (i ? "," : "") + quote(fields_[i].first) + ":" + fields_[i].second;
  }
  return out + "}";
}

// ---- routes ----

bool is_management_path(const std::string& path) {
  for (const char* prefix : kManagementPrefixes) {
    if (path.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

std::vector<std::pair<std::string, std::string>> registered_management_routes() {
  // The same registration the gateway runs (app/gateway.cc), on a router without sockets.
  http::Router router;
  api::GatewayContext context;
  api::register_routes(router, context);
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [method, pattern] : router.routes()) {
    if (is_management_path(pattern)) out.emplace_back(std::string(http::method_name(method)), pattern);
  }
  return out;
}

// ---- World ----

World& World::get() {
  auto& world = instance();
  if (!world) world.reset(new World());
  return *world;
}

void World::tear_down() { instance().reset(); }

World::World() {
  database_ = std::make_unique<testing::TestDatabase>("postgresql");
  gateway_ = std::make_unique<testing::TestGateway>(
      kConfig, std::map<std::string, std::string>{{"DATABASE_URL", database_->url()}});
  master_key_ = gateway_->master_key();
  port_ = gateway_->port();
  store_ = database_->open_store();
  routes_ = registered_management_routes();
  for (const auto& r : routes_) route_set_.insert(r);
  seed();
}

World::~World() {
  store_.reset();
  if (gateway_) gateway_->shutdown();
  gateway_.reset();
  database_.reset();  // drops the database
}

HttpReply World::call(const std::string& method, const std::string& target, const std::string& body,
                      const std::string& credential) const {
  testing::HeaderList headers;
  if (!credential.empty()) headers = testing::bearer(credential);
  return testing::http_request(port_, method, target, body, headers);
}

HttpReply World::as_master(const std::string& method, const std::string& target, const std::string& body) const {
  return call(method, target, body, master_key_);
}

int World::chat_status(const std::string& credential) const {
  static const std::string kChat =
      R"({"model":"mock-model","messages":[{"role":"user","content":"authz matrix probe"}]})";
  return call("POST", "/v1/chat/completions", kChat, credential).status;
}

bool World::has_route(const std::string& method, const std::string& pattern) const {
  return route_set_.count({method, pattern}) > 0;
}

std::int64_t World::last_audit_id() const {
  const auto rows = store_->audit_log(std::nullopt, 1);
  return rows.empty() ? 0 : rows.front().id;
}

const Actor& World::actor(const std::string& name) const {
  for (const auto& a : actors_) {
    if (a.name == name) return a;
  }
  throw std::runtime_error("no actor named " + name);
}

std::string World::wrong_key() const { return "sk-wrong-" + random_hex(32); }

std::string World::unique(const std::string& stem) { return "s" + std::to_string(++counter_) + "-" + stem; }

void World::require_ok(const HttpReply& reply, const std::string& what) const {
  if (reply.status != 200) {
    throw std::runtime_error("seeding failed: " + what + " answered " + std::to_string(reply.status) + ": " +
                             reply.body);
  }
}

void World::create_org(const std::string& organization_id) {
  require_ok(as_master("POST", "/organization/new",
                       Json().s("organization_id", organization_id).s("organization_alias", organization_id).str()),
             "/organization/new " + organization_id);
}

void World::create_team(const std::string& team_id, const std::optional<std::string>& organization_id, Json extra) {
  extra.s("team_id", team_id).s("team_alias", team_id);
  if (organization_id) extra.s("organization_id", *organization_id);
  require_ok(as_master("POST", "/team/new", extra.str()), "/team/new " + team_id);
}

void World::create_user(const std::string& user_id, const std::string& user_role,
                        const std::optional<std::string>& organization_id) {
  Json body;
  body.s("user_id", user_id).s("user_role", user_role).b("auto_create_key", false);
  if (organization_id) body.s("organization_id", *organization_id);
  require_ok(as_master("POST", "/user/new", body.str()), "/user/new " + user_id);
}

void World::add_org_member(const std::string& organization_id, const std::string& user_id, const std::string& role) {
  const std::string member = Json().s("user_id", user_id).s("role", role).str();
  require_ok(as_master("POST", "/organization/member_add",
                       Json().s("organization_id", organization_id).raw("member", "[" + member + "]").str()),
             "/organization/member_add " + user_id);
}

void World::add_team_member(const std::string& team_id, const std::string& user_id, const std::string& role) {
  require_ok(
      as_master("POST", "/team/member_add",
                Json().s("team_id", team_id).raw("member", Json().s("user_id", user_id).s("role", role).str()).str()),
      "/team/member_add " + user_id);
}

std::string World::create_member_user(const std::string& stem, const std::string& user_role,
                                      const std::vector<Membership>& teams, const std::vector<Membership>& orgs) {
  const std::string user_id = unique(stem);
  create_user(user_id, user_role, orgs.empty() ? std::nullopt : std::optional<std::string>(orgs.front().id));
  for (std::size_t i = 1; i < orgs.size(); ++i) add_org_member(orgs[i].id, user_id, orgs[i].role);
  for (const auto& t : teams) add_team_member(t.id, user_id, t.role);
  return user_id;
}

void World::create_budget(const std::string& budget_id) {
  require_ok(as_master("POST", "/budget/new", Json().s("budget_id", budget_id).n("max_budget", 10).str()),
             "/budget/new " + budget_id);
}

Key World::create_key(Json fields) {
  if (!fields.has("key_alias")) fields.s("key_alias", unique("key"));
  const auto reply = as_master("POST", "/key/generate", fields.str());
  require_ok(reply, "/key/generate");
  rapidjson::Document d;
  d.Parse(reply.body.c_str());
  if (!d.IsObject() || !d.HasMember("key") || !d["key"].IsString() || !d.HasMember("token")) {
    throw std::runtime_error("seeding failed: /key/generate answered without key/token");
  }
  Key key{d["key"].GetString(), d["token"].GetString()};
  testing::register_secret(key.cleartext);
  return key;
}

Key World::missing_key() const {
  const std::string cleartext = "sk-missing-" + random_hex(32);
  return Key{cleartext, core::hash_key(cleartext)};
}

Actor World::make_actor(Actor a) {
  if (a.master) {
    a.key = Key{master_key_, core::hash_key(master_key_)};
    return a;
  }
  if (a.service_account) {
    a.key = create_key(Json().s("team_id", a.team()).s("key_alias", unique("actor-" + a.name)));
    return a;
  }
  a.user_id = create_member_user("user-" + a.name, a.user_role, a.teams, a.orgs);
  a.key = create_key(Json().s("user_id", a.user_id).s("key_alias", unique("actor-" + a.name)));
  return a;
}

Actor World::clone(const Actor& actor, const std::vector<Membership>& extra_teams,
                   const std::vector<Membership>& extra_orgs) {
  if (actor.master || actor.service_account) throw std::runtime_error("cannot clone " + actor.name);
  Actor copy = actor;
  copy.teams.insert(copy.teams.end(), extra_teams.begin(), extra_teams.end());
  copy.orgs.insert(copy.orgs.end(), extra_orgs.begin(), extra_orgs.end());
  // Extra memberships go first: they are what the cell relates the actor to.
  std::rotate(copy.teams.begin(), copy.teams.end() - static_cast<long>(extra_teams.size()), copy.teams.end());
  std::rotate(copy.orgs.begin(), copy.orgs.end() - static_cast<long>(extra_orgs.size()), copy.orgs.end());
  return make_actor(copy);
}

void World::seed() {
  create_org(kOrgA);
  create_org(kOrgB);
  create_team(kAlpha, kOrgA);
  create_team(kBeta, kOrgB);
  create_team(kGamma, kOrgA);  // no members

  auto peer = [&](const std::string& id, const std::string& org, const std::string& team) {
    create_user(id, "internal_user", org);
    if (!team.empty()) add_team_member(team, id, "user");
  };
  peer(kAlphaPeer, kOrgA, kAlpha);
  peer(kAPeer, kOrgA, "");
  peer(kBetaPeer, kOrgB, kBeta);
  peer(kDualPeer, kOrgB, "");
  add_org_member(kOrgA, kDualPeer, "internal_user");

  auto spec = [](std::string name, std::string role, std::vector<Membership> teams, std::vector<Membership> orgs) {
    Actor a;
    a.name = std::move(name);
    a.user_role = std::move(role);
    a.teams = std::move(teams);
    a.orgs = std::move(orgs);
    return a;
  };
  Actor master;
  master.name = "master";
  master.master = true;
  Actor service;
  service.name = "service_account";
  service.service_account = true;
  service.teams = {{kAlpha, ""}};
  const std::vector<Actor> specs = {
      master,
      spec("proxy_admin", "proxy_admin", {}, {}),
      spec("admin_viewer", "proxy_admin_viewer", {}, {}),
      spec("org_admin_a", "org_admin", {}, {{kOrgA, "org_admin"}}),
      spec("org_admin_b", "org_admin", {}, {{kOrgB, "org_admin"}}),
      spec("team_admin", "internal_user", {{kAlpha, "admin"}}, {{kOrgA, "internal_user"}}),
      spec("member", "internal_user", {{kAlpha, "user"}}, {{kOrgA, "internal_user"}}),
      spec("outsider", "internal_user", {}, {{kOrgA, "internal_user"}}),
      spec("cross_org", "internal_user", {{kBeta, "user"}}, {{kOrgB, "internal_user"}}),
      service,
      spec("user_viewer", "internal_user_viewer", {{kAlpha, "user"}}, {{kOrgA, "internal_user_viewer"}}),
  };
  for (const auto& s : specs) actors_.push_back(make_actor(s));

  // 401 credentials: an expired key and a blocked key of a real user.
  expired_ = create_key(Json().s("user_id", kAlphaPeer).s("duration", "1s"));
  expired_at_ms_ = now_ms() + 1000;
  blocked_ = create_key(Json().s("user_id", kAlphaPeer).b("blocked", true));
  const auto wait = expired_at_ms_ + 50 - now_ms();
  if (wait > 0) std::this_thread::sleep_for(std::chrono::milliseconds(wait));
}

}  // namespace tollgate::authz
