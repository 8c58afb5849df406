// The matrix for /key/*: every endpoint × actor × key shape, statuses from docs/authz.md (Keys),
// database effects read back through the Store.
//
// Key shapes (absolute objects of the world; which relation they are to an actor follows
// from the actor — "own" is the only relative one):
//   own        a personal key of the actor's user            (the owner's own key)
//   alpha_peer a key of alpha_peer in team alpha (org A)     (same team for alpha's members)
//   alpha_sa   a service-account key of team alpha (org A)   (a team key without user)
//   gamma_sa   a service-account key of team gamma (org A)   (same org, a team nobody is in)
//   a_peer     a personal key of a_peer (org A user, no team): the key takes the user's org A
//   dual_peer  a personal key of dual_peer, a user of org B who is also a member of org A: the
//              key belongs to org B (its user's own organization), not to org A
//   beta_peer  a key of beta_peer in team beta (org B)       (other organization)
//   missing    a key that does not exist
// Mutating cells always act on a fresh key of the shape.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "core/key_hash.h"
#include "persistence/store.h"
#include "tests/authz/matrix.h"
#include "tests/authz/record_diff.h"
#include "tests/support/test_env.h"

namespace tollgate::authz {
namespace {

using persistence::KeyRecord;
using testing::HttpReply;

const std::vector<std::string> kKeyShapes = {"own",    "alpha_peer", "alpha_sa",  "gamma_sa",
                                             "a_peer", "dual_peer",  "beta_peer", "missing"};

// clang-format off
// Reading a key (/key/info, inclusion in /key/list): visible to admins and viewers, its owner,
// admins of its team, org_admins of its organization; 404 to anyone else; service accounts
// manage and read nothing (403).
//                          own  alpha_peer alpha_sa gamma_sa a_peer dual_peer beta_peer missing
const Grid kRead{kKeyShapes, {
    {"master",          {NA,  200, 200, 200, 200, 200, 200, 404}},
    {"proxy_admin",     {200, 200, 200, 200, 200, 200, 200, 404}},
    {"admin_viewer",    {200, 200, 200, 200, 200, 200, 200, 404}},
    {"org_admin_a",     {200, 200, 200, 200, 200, 404, 404, 404}},
    {"org_admin_b",     {200, 404, 404, 404, 404, 200, 200, 404}},
    {"team_admin",      {200, 200, 200, 404, 404, 404, 404, 404}},
    {"member",          {200, 404, 404, 404, 404, 404, 404, 404}},
    {"outsider",        {200, 404, 404, 404, 404, 404, 404, 404}},
    {"cross_org",       {200, 404, 404, 404, 404, 404, 404, 404}},
    {"service_account", {NA,  403, 403, 403, 403, 403, 403, 403}},
    {"user_viewer",     {200, 404, 404, 404, 404, 404, 404, 404}},
}};

// Update alias/metadata, regenerate, delete: the owner may; invisible targets are 404; a
// read-only role or a service account gets 403 whatever the target (its role rules it out).
const Grid kManage{kKeyShapes, {
    {"master",          {NA,  200, 200, 200, 200, 200, 200, 404}},
    {"proxy_admin",     {200, 200, 200, 200, 200, 200, 200, 404}},
    {"admin_viewer",    {403, 403, 403, 403, 403, 403, 403, 403}},
    {"org_admin_a",     {200, 200, 200, 200, 200, 404, 404, 404}},
    {"org_admin_b",     {200, 404, 404, 404, 404, 200, 200, 404}},
    {"team_admin",      {200, 200, 200, 404, 404, 404, 404, 404}},
    {"member",          {200, 404, 404, 404, 404, 404, 404, 404}},
    {"outsider",        {200, 404, 404, 404, 404, 404, 404, 404}},
    {"cross_org",       {200, 404, 404, 404, 404, 404, 404, 404}},
    {"service_account", {NA,  403, 403, 403, 403, 403, 403, 403}},
    {"user_viewer",     {403, 403, 403, 403, 403, 403, 403, 403}},
}};

// Regenerate: as kManage, but the new cleartext acts as the key's holder, so it takes the
// right to create that key: a team admin regenerates its team's service accounts, not its
// members' keys; an org_admin only the keys of users it administers in every organization they
// reach (dual_peer is also in org A).
const Grid kRegenerate{kKeyShapes, {
    {"master",          {NA,  200, 200, 200, 200, 200, 200, 404}},
    {"proxy_admin",     {200, 200, 200, 200, 200, 200, 200, 404}},
    {"admin_viewer",    {403, 403, 403, 403, 403, 403, 403, 403}},
    {"org_admin_a",     {200, 200, 200, 200, 200, 404, 404, 404}},
    {"org_admin_b",     {200, 404, 404, 404, 404, 403, 200, 404}},
    {"team_admin",      {200, 403, 200, 404, 404, 404, 404, 404}},
    {"member",          {200, 404, 404, 404, 404, 404, 404, 404}},
    {"outsider",        {200, 404, 404, 404, 404, 404, 404, 404}},
    {"cross_org",       {200, 404, 404, 404, 404, 404, 404, 404}},
    {"service_account", {NA,  403, 403, 403, 403, 403, 403, 403}},
    {"user_viewer",     {403, 403, 403, 403, 403, 403, 403, 403}},
}};

// Update budget/limits/models, block, unblock: as kManage, but an owner may not do it to its
// own key (only a proxy_admin may).
const Grid kManageLimits{kKeyShapes, {
    {"master",          {NA,  200, 200, 200, 200, 200, 200, 404}},
    {"proxy_admin",     {200, 200, 200, 200, 200, 200, 200, 404}},
    {"admin_viewer",    {403, 403, 403, 403, 403, 403, 403, 403}},
    {"org_admin_a",     {403, 200, 200, 200, 200, 404, 404, 404}},
    {"org_admin_b",     {403, 404, 404, 404, 404, 200, 200, 404}},
    {"team_admin",      {403, 200, 200, 404, 404, 404, 404, 404}},
    {"member",          {403, 404, 404, 404, 404, 404, 404, 404}},
    {"outsider",        {403, 404, 404, 404, 404, 404, 404, 404}},
    {"cross_org",       {403, 404, 404, 404, 404, 404, 404, 404}},
    {"service_account", {NA,  403, 403, 403, 403, 403, 403, 403}},
    {"user_viewer",     {403, 403, 403, 403, 403, 403, 403, 403}},
}};

// /key/generate: the shapes are what the body asks for.
//   self               {}                                   a personal key for the caller
//   for_a_peer         {"user_id": a_peer}                  a key for a user of org A
//   for_beta_peer      {"user_id": beta_peer}               a key for a user of org B
//   team_alpha|gamma|beta|missing {"team_id": …}            a team (service-account) key
//   alpha_for_member   {"team_id": alpha, "user_id": member}
const Grid kGenerate{{"self", "for_a_peer", "for_beta_peer", "team_alpha", "team_gamma", "team_beta",
                      "team_missing", "alpha_for_member"}, {
    {"master",          {200, 200, 200, 200, 200, 200, 404, 200}},
    {"proxy_admin",     {200, 200, 200, 200, 200, 200, 404, 200}},
    {"admin_viewer",    {403, 403, 403, 403, 403, 403, 403, 403}},
    {"org_admin_a",     {200, 200, 403, 200, 200, 404, 404, 200}},
    {"org_admin_b",     {200, 403, 200, 404, 404, 200, 404, 404}},
    {"team_admin",      {200, 403, 403, 200, 404, 404, 404, 403}},
    {"member",          {200, 403, 403, 403, 404, 404, 404, 403}},
    {"outsider",        {200, 403, 403, 404, 404, 404, 404, 404}},
    {"cross_org",       {200, 403, 403, 404, 404, 403, 404, 404}},
    {"service_account", {403, 403, 403, 403, 403, 403, 403, 403}},
    {"user_viewer",     {403, 403, 403, 403, 403, 403, 403, 403}},
}};

// /key/service-account/generate: a team is required and a user refused (400) once the role may
// create keys at all; then the team's visibility decides as on /key/generate.
const Grid kGenerateServiceAccount{{"team_alpha", "team_gamma", "team_beta", "team_missing", "self", "alpha_for_member"}, {
    {"master",          {200, 200, 200, 404, 400, 400}},
    {"proxy_admin",     {200, 200, 200, 404, 400, 400}},
    {"admin_viewer",    {403, 403, 403, 403, 403, 403}},
    {"org_admin_a",     {200, 200, 404, 404, 400, 400}},
    {"org_admin_b",     {404, 404, 200, 404, 400, 400}},
    {"team_admin",      {200, 404, 404, 404, 400, 400}},
    {"member",          {403, 404, 404, 404, 400, 400}},
    {"outsider",        {404, 404, 404, 404, 400, 400}},
    {"cross_org",       {404, 404, 403, 404, 400, 400}},
    {"service_account", {403, 403, 403, 403, 403, 403}},
    {"user_viewer",     {403, 403, 403, 403, 403, 403}},
}};

// /key/info without ?key=: the caller's own key. The master key is no stored key (400).
const Grid kInfoSelf{{"caller"}, {
    {"master", {400}}, {"proxy_admin", {200}}, {"admin_viewer", {200}}, {"org_admin_a", {200}},
    {"org_admin_b", {200}}, {"team_admin", {200}}, {"member", {200}}, {"outsider", {200}},
    {"cross_org", {200}}, {"service_account", {403}}, {"user_viewer", {200}},
}};

// /key/list: 200 for every actor that may read keys at all (the service account may not);
// which keys it contains is checked against kRead.
const Grid kList{kKeyShapes, {
    {"master",          {NA,  200, 200, 200, 200, 200, 200, 200}},
    {"proxy_admin",     {200, 200, 200, 200, 200, 200, 200, 200}},
    {"admin_viewer",    {200, 200, 200, 200, 200, 200, 200, 200}},
    {"org_admin_a",     {200, 200, 200, 200, 200, 200, 200, 200}},
    {"org_admin_b",     {200, 200, 200, 200, 200, 200, 200, 200}},
    {"team_admin",      {200, 200, 200, 200, 200, 200, 200, 200}},
    {"member",          {200, 200, 200, 200, 200, 200, 200, 200}},
    {"outsider",        {200, 200, 200, 200, 200, 200, 200, 200}},
    {"cross_org",       {200, 200, 200, 200, 200, 200, 200, 200}},
    {"service_account", {NA,  403, 403, 403, 403, 403, 403, 403}},
    {"user_viewer",     {200, 200, 200, 200, 200, 200, 200, 200}},
}};

// /key/list?team_id=…: the team must be visible (Teams: members, org_admins of its org,
// admins and viewers), else 404.
const Grid kListByTeam{{"team_alpha", "team_gamma", "team_beta", "team_missing"}, {
    {"master",          {200, 200, 200, 404}},
    {"proxy_admin",     {200, 200, 200, 404}},
    {"admin_viewer",    {200, 200, 200, 404}},
    {"org_admin_a",     {200, 200, 404, 404}},
    {"org_admin_b",     {404, 404, 200, 404}},
    {"team_admin",      {200, 404, 404, 404}},
    {"member",          {200, 404, 404, 404}},
    {"outsider",        {404, 404, 404, 404}},
    {"cross_org",       {404, 404, 200, 404}},
    {"service_account", {403, 403, 403, 403}},
    {"user_viewer",     {200, 404, 404, 404}},
}};
// clang-format on

struct FreshKey {
  Key key;
  std::string alias;
};

// A fresh key of the shape for this actor (created by the master key through /key/generate).
FreshKey fresh_key(World& w, const Actor& a, const std::string& shape, Json fields = Json()) {
  const std::string alias = w.unique("key-" + shape);
  if (shape == "missing") return {w.missing_key(), alias};
  fields.s("key_alias", alias);
  if (shape == "own")
    fields.s("user_id", a.user_id);
  else if (shape == "alpha_peer")
    fields.s("user_id", kAlphaPeer).s("team_id", kAlpha);
  else if (shape == "alpha_sa")
    fields.s("team_id", kAlpha);
  else if (shape == "gamma_sa")
    fields.s("team_id", kGamma);
  else if (shape == "a_peer")
    fields.s("user_id", kAPeer);
  else if (shape == "dual_peer")
    fields.s("user_id", kDualPeer);
  else if (shape == "beta_peer")
    fields.s("user_id", kBetaPeer).s("team_id", kBeta);
  else
    throw std::logic_error("unknown key shape " + shape);
  return {w.create_key(fields), alias};
}

std::optional<KeyRecord> find(World& w, const std::string& hash) { return w.store().find_key(hash); }

void check_unchanged(World& w, const Key& k, const std::optional<KeyRecord>& before) {
  const auto after = find(w, k.hash);
  if (!before) {
    INFO("a call on a missing key must not create it");
    CHECK_FALSE(after.has_value());
    return;
  }
  INFO("the row must still exist");
  REQUIRE(after.has_value());
  const auto changed = diff(*before, *after);
  INFO("fields changed by a call that did not succeed: " << to_string(changed));
  CHECK(changed.empty());
}

// The call succeeded: exactly `required` changed (plus updated_at/updated_by).
void check_changed_exactly(const KeyRecord& before, const KeyRecord& after, const FieldSet& required) {
  const auto changed = diff(before, after);
  INFO("changed: " << to_string(changed) << ", requested: " << to_string(required));
  for (const auto& f : required) CHECK(changed.count(f) == 1);
  for (const auto& f : changed) CHECK((required.count(f) == 1 || kBookkeeping.count(f) == 1));
}

// A denied call leaves the key working exactly as before.
void check_still_works(World& w, const Key& k, const std::optional<KeyRecord>& before, int status) {
  if (!before) return;
  INFO("the target key must answer as before");
  CHECK(w.chat_status(k.cleartext) == status);
}

Cell base_cell(const Actor& a, const std::string& method, const std::string& target, const std::string& body) {
  Cell c;
  c.credential = a.key.cleartext;
  c.method = method;
  c.target = target;
  c.body = body;
  return c;
}

// ---- preparations ----

Prepare info_cell(const std::string& shape) {
  return [shape](World& w, const Actor& a) {
    const auto k = fresh_key(w, a, shape).key;
    const auto before = find(w, k.hash);
    Cell c = base_cell(a, "GET", "/key/info?key=" + k.hash, "");
    c.verify = [k, before](World& w, const HttpReply& r) {
      if (r.status == 200) {
        rapidjson::Document d;
        d.Parse(r.body.c_str());
        REQUIRE((d.IsObject() && d.HasMember("info") && d["info"].IsObject()));
        CHECK(std::string(d["info"]["token"].GetString()) == k.hash);
        CHECK(r.body.find(k.cleartext) == std::string::npos);
      }
      check_unchanged(w, k, before);
    };
    return c;
  };
}

Prepare info_self_cell(const std::string&) {
  return [](World&, const Actor& a) {
    Cell c = base_cell(a, "GET", "/key/info", "");
    c.verify = [hash = a.key.hash](World&, const HttpReply& r) {
      if (r.status != 200) return;
      rapidjson::Document d;
      d.Parse(r.body.c_str());
      REQUIRE((d.IsObject() && d.HasMember("info") && d["info"].IsObject()));
      CHECK(std::string(d["info"]["token"].GetString()) == hash);
    };
    return c;
  };
}

// Whether a /key/list reply lists the key, and lists nothing outside the filter.
bool listed(const HttpReply& r, const std::string& hash, const std::optional<std::string>& team) {
  rapidjson::Document d;
  d.Parse(r.body.c_str());
  REQUIRE((d.IsObject() && d.HasMember("keys") && d["keys"].IsArray()));
  CHECK(d.HasMember("total_count"));
  CHECK(d.HasMember("current_page"));
  CHECK(d.HasMember("total_pages"));
  bool found = false;
  for (const auto& k : d["keys"].GetArray()) {
    REQUIRE(k.IsObject());
    const std::string token = k["token"].GetString();
    CHECK(token == hash);  // the alias filter admits one key at most
    if (team) CHECK((k["team_id"].IsString() && k["team_id"].GetString() == *team));
    found = found || token == hash;
  }
  return found;
}

Prepare list_cell(const std::string& shape) {
  return [shape](World& w, const Actor& a) {
    const auto fresh = fresh_key(w, a, shape);
    Cell c = base_cell(a, "GET", "/key/list?return_full_object=true&size=100&key_alias=" + url_encode(fresh.alias), "");
    const bool visible = shape != "missing" && kRead.at(a.name, shape) == 200;
    c.verify = [fresh, visible](World&, const HttpReply& r) {
      if (r.status != 200) return;
      INFO((visible ? "the key must be listed" : "the key must not be listed"));
      CHECK(listed(r, fresh.key.hash, std::nullopt) == visible);
    };
    return c;
  };
}

// /key/aliases?search=<the fresh key's alias>: the alias is listed exactly when the key is
// readable (kRead), as in /key/list.
Prepare alias_list_cell(const std::string& shape) {
  return [shape](World& w, const Actor& a) {
    const auto fresh = fresh_key(w, a, shape);
    Cell c = base_cell(a, "GET", "/key/aliases?size=100&search=" + url_encode(fresh.alias), "");
    const bool visible = shape != "missing" && kRead.at(a.name, shape) == 200;
    c.verify = [fresh, visible](World&, const HttpReply& r) {
      if (r.status != 200) return;
      rapidjson::Document d;
      d.Parse(r.body.c_str());
      REQUIRE((d.IsObject() && d.HasMember("aliases") && d["aliases"].IsArray()));
      bool listed_alias = false;
      for (const auto& alias : d["aliases"].GetArray()) listed_alias = listed_alias || alias == fresh.alias.c_str();
      INFO((visible ? "the alias must be listed" : "the alias must not be listed"));
      CHECK(listed_alias == visible);
    };
    return c;
  };
}

Prepare list_by_team_cell(const std::string& shape) {
  return [shape](World& w, const Actor& a) {
    static const std::map<std::string, std::pair<std::string, std::string>> kTeamKey = {
        {"team_alpha", {kAlpha, "alpha_peer"}},
        {"team_gamma", {kGamma, "gamma_sa"}},
        {"team_beta", {kBeta, "beta_peer"}},
        {"team_missing", {"team-missing", "missing"}},
    };
    const auto& [team, key_shape] = kTeamKey.at(shape);
    const auto fresh = fresh_key(w, a, key_shape);
    Cell c = base_cell(a, "GET",
                       "/key/list?return_full_object=true&size=100&team_id=" + url_encode(team) +
                           "&key_alias=" + url_encode(fresh.alias),
                       "");
    const bool visible = key_shape != "missing" && kRead.at(a.name, key_shape) == 200;
    c.verify = [fresh, visible, team = team](World&, const HttpReply& r) {
      if (r.status != 200) return;
      INFO((visible ? "the team's key must be listed" : "the team's key must not be listed"));
      CHECK(listed(r, fresh.key.hash, team) == visible);
    };
    return c;
  };
}

Prepare generate_cell(const std::string& variant, const std::string& path = "/key/generate") {
  return [variant, path](World& w, const Actor& a) {
    const std::string alias = w.unique("gen-" + variant);
    Json body;
    body.s("key_alias", alias);
    std::optional<std::string> user = a.has_user() ? std::optional<std::string>(a.user_id) : std::nullopt;
    std::optional<std::string> team;
    std::optional<std::string> org;
    if (variant == "for_a_peer") {
      body.s("user_id", kAPeer);
      user = kAPeer;
    } else if (variant == "for_beta_peer") {
      body.s("user_id", kBetaPeer);
      user = kBetaPeer;
    } else if (variant.rfind("team_", 0) == 0) {
      static const std::map<std::string, std::pair<std::string, std::string>> kTeams = {
          {"team_alpha", {kAlpha, kOrgA}},
          {"team_gamma", {kGamma, kOrgA}},
          {"team_beta", {kBeta, kOrgB}},
          {"team_missing", {"team-missing", ""}}};
      team = kTeams.at(variant).first;
      org = kTeams.at(variant).second;
      body.s("team_id", *team);
      user.reset();  // a team key without a user: a service account
    } else if (variant == "alpha_for_member") {
      user = w.actor("member").user_id;
      team = kAlpha;
      org = kOrgA;
      body.s("team_id", kAlpha).s("user_id", *user);
    }
    Cell c = base_cell(a, "POST", path, body.str());
    c.verify = [alias, user, team, org](World& w, const HttpReply& r) {
      persistence::KeyFilter filter;
      filter.key_alias = alias;
      const auto rows = w.store().list_keys(filter, 1, 10);
      if (r.status != 200) {
        INFO("a denied /key/generate must store no key");
        CHECK(rows.total_count == 0);
        return;
      }
      const std::string cleartext = json_string(r.body, "key");
      testing::register_secret(cleartext);
      REQUIRE(cleartext.rfind("sk-", 0) == 0);
      CHECK(json_string(r.body, "token") == core::hash_key(cleartext));
      REQUIRE(rows.total_count == 1);
      const auto& key = rows.keys.front();
      CHECK(key.token_hash == core::hash_key(cleartext));
      CHECK(key.user_id == user);
      CHECK(key.team_id == team);
      if (org) CHECK(key.organization_id == org);
      CHECK(key.service_account == (team.has_value() && !user.has_value()));
      INFO("the new key must work");
      CHECK(w.chat_status(cleartext) == 200);
    };
    return c;
  };
}

// /key/update with an alias (an ordinary field) or a budget (a limit field).
Prepare update_cell(const std::string& shape, bool limits) {
  return [shape, limits](World& w, const Actor& a) {
    const auto k = fresh_key(w, a, shape).key;
    const auto before = find(w, k.hash);
    const std::string alias = w.unique("renamed");
    Json body;
    body.s("key", k.cleartext);
    if (limits)
      body.n("max_budget", 42.5);
    else
      body.s("key_alias", alias);
    Cell c = base_cell(a, "POST", "/key/update", body.str());
    c.verify = [k, before, limits, alias](World& w, const HttpReply& r) {
      if (r.status != 200) {
        check_unchanged(w, k, before);
        check_still_works(w, k, before, 200);
        return;
      }
      REQUIRE(before.has_value());
      const auto after = find(w, k.hash);
      REQUIRE(after.has_value());
      check_changed_exactly(*before, *after, {limits ? "max_budget" : "key_alias"});
      if (limits)
        CHECK(after->max_budget == 42.5);
      else
        CHECK(after->key_alias == alias);
      CHECK(w.chat_status(k.cleartext) == 200);
    };
    return c;
  };
}

// /key/update with model aliases: a field that grants more, so checked as the key's limits.
Prepare aliases_cell(const std::string& shape) {
  return [shape](World& w, const Actor& a) {
    const auto k = fresh_key(w, a, shape).key;
    const auto before = find(w, k.hash);
    Cell c = base_cell(a, "POST", "/key/update",
                       Json().s("key", k.cleartext).raw("aliases", R"({"cheap":"anything"})").str());
    c.verify = [k, before](World& w, const HttpReply& r) {
      if (r.status != 200) {
        check_unchanged(w, k, before);
        return;
      }
      REQUIRE(before.has_value());
      const auto after = find(w, k.hash);
      REQUIRE(after.has_value());
      check_changed_exactly(*before, *after, {"model_aliases"});
      CHECK(after->model_aliases.at("cheap") == "anything");
    };
    return c;
  };
}

// /key/regenerate {"key": …} or /key/{key}/regenerate (the key's hash in the path).
Prepare regenerate_cell(const std::string& shape, bool in_path) {
  return [shape, in_path](World& w, const Actor& a) {
    const auto k = fresh_key(w, a, shape).key;
    const auto before = find(w, k.hash);
    Cell c = in_path ? base_cell(a, "POST", "/key/" + k.hash + "/regenerate", "{}")
                     : base_cell(a, "POST", "/key/regenerate", Json().s("key", k.cleartext).str());
    c.verify = [k, before](World& w, const HttpReply& r) {
      if (r.status != 200) {
        check_unchanged(w, k, before);
        check_still_works(w, k, before, 200);
        return;
      }
      REQUIRE(before.has_value());
      const std::string fresh = json_string(r.body, "key");
      testing::register_secret(fresh);
      REQUIRE(fresh.rfind("sk-", 0) == 0);
      CHECK(fresh != k.cleartext);
      const std::string fresh_hash = core::hash_key(fresh);
      CHECK(json_string(r.body, "token") == fresh_hash);
      CHECK_FALSE(find(w, k.hash).has_value());
      const auto after = find(w, fresh_hash);
      REQUIRE(after.has_value());
      check_changed_exactly(*before, *after, {"token_hash", "key_name"});
      INFO("regenerate: the old key stops working at once, the new one works");
      CHECK(w.chat_status(k.cleartext) == 401);
      CHECK(w.chat_status(fresh) == 200);
    };
    return c;
  };
}

// /key/delete {"keys": [cleartext]} or {"key_aliases": [alias]}.
Prepare delete_cell(const std::string& shape, bool by_alias) {
  return [shape, by_alias](World& w, const Actor& a) {
    const auto fresh = fresh_key(w, a, shape);
    const auto k = fresh.key;
    const auto before = find(w, k.hash);
    Cell c = base_cell(
        a, "POST", "/key/delete",
        by_alias ? Json().strings("key_aliases", {fresh.alias}).str() : Json().strings("keys", {k.cleartext}).str());
    c.verify = [k, before](World& w, const HttpReply& r) {
      if (r.status != 200) {
        check_unchanged(w, k, before);
        check_still_works(w, k, before, 200);
        return;
      }
      CHECK(r.body.find("deleted_keys") != std::string::npos);
      INFO("a deleted key is gone and no longer authenticates");
      CHECK_FALSE(find(w, k.hash).has_value());
      CHECK(w.chat_status(k.cleartext) == 401);
    };
    return c;
  };
}

// /key/block on a working key, /key/unblock on a blocked one.
Prepare block_cell(const std::string& shape, bool block) {
  return [shape, block](World& w, const Actor& a) {
    Json fields;
    if (!block) fields.b("blocked", true);
    const auto k = fresh_key(w, a, shape, fields).key;
    const auto before = find(w, k.hash);
    Cell c = base_cell(a, "POST", block ? "/key/block" : "/key/unblock", Json().s("key", k.hash).str());
    c.verify = [k, before, block](World& w, const HttpReply& r) {
      if (r.status != 200) {
        check_unchanged(w, k, before);
        check_still_works(w, k, before, block ? 200 : 401);
        return;
      }
      REQUIRE(before.has_value());
      const auto after = find(w, k.hash);
      REQUIRE(after.has_value());
      check_changed_exactly(*before, *after, {"blocked"});
      CHECK(after->blocked == block);
      CHECK(w.chat_status(k.cleartext) == (block ? 401 : 200));
    };
    return c;
  };
}

}  // namespace

Key make_key_of_shape(World& w, const Actor& a, const std::string& shape) { return fresh_key(w, a, shape).key; }

std::vector<Row> key_rows() {
  std::vector<Row> rows;
  add_rows(rows, "POST", "/key/generate", "", kGenerate, false, [](const std::string& s) { return generate_cell(s); });
  add_rows(rows, "POST", "/key/service-account/generate", "", kGenerateServiceAccount, false,
           [](const std::string& s) { return generate_cell(s, "/key/service-account/generate"); });
  add_rows(rows, "GET", "/key/info", "?key=", kRead, true, info_cell);
  add_rows(rows, "GET", "/key/info", "no key: the caller's own", kInfoSelf, true, info_self_cell);
  add_rows(rows, "GET", "/key/list", "key_alias filter", kList, true, list_cell);
  add_rows(rows, "GET", "/key/list", "team_id filter", kListByTeam, true, list_by_team_cell);
  add_rows(rows, "GET", "/key/aliases", "search", kList, true, alias_list_cell);
  add_rows(rows, "POST", "/key/update", "alias", kManage, false,
           [](const std::string& s) { return update_cell(s, false); });
  add_rows(rows, "POST", "/key/update", "limits", kManageLimits, false,
           [](const std::string& s) { return update_cell(s, true); });
  add_rows(rows, "POST", "/key/update", "aliases", kManageLimits, false, aliases_cell);
  add_rows(rows, "POST", "/key/regenerate", "", kRegenerate, false,
           [](const std::string& s) { return regenerate_cell(s, false); });
  add_rows(rows, "POST", "/key/{key}/regenerate", "", kRegenerate, false,
           [](const std::string& s) { return regenerate_cell(s, true); });
  add_rows(rows, "POST", "/key/delete", "keys", kManage, false,
           [](const std::string& s) { return delete_cell(s, false); });
  add_rows(rows, "POST", "/key/delete", "key_aliases", kManage, false,
           [](const std::string& s) { return delete_cell(s, true); });
  add_rows(rows, "POST", "/key/block", "", kManageLimits, false,
           [](const std::string& s) { return block_cell(s, true); });
  add_rows(rows, "POST", "/key/unblock", "", kManageLimits, false,
           [](const std::string& s) { return block_cell(s, false); });
  return rows;
}

}  // namespace tollgate::authz

TEST_CASE("authz matrix: keys", "[authz][keys]") { tollgate::authz::run_rows("keys", tollgate::authz::key_rows()); }
