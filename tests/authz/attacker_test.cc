// The attacker search (docs/authz.md, "Whose a key is"): for each actor of the matrix world,
// every chain of up to two management calls drawn from /key/generate, /key/update,
// /key/regenerate, /team/member_add, /team/member_update, /organization/member_add,
// /organization/member_update and /user/update, with ids from
// the whole world. Whatever credential a chain leaves in the actor's hands must not do
// anything the actor could not do itself:
//   - on a fixed probe set (admin endpoints, every user, team, organization and actor key of
//     the world, idempotent writes to other organizations' objects), everything the new
//     credential may do (200), the actor's own key may do too;
//   - the budgets it draws on: its organization is one the actor's keys draw on or that the
//     actor administers.
// Each actor runs on a fresh world (its chains change memberships and roles when allowed).
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "persistence/store.h"
#include "tests/authz/matrix.h"
#include "tests/authz/world.h"
#include "tests/support/test_env.h"

namespace tollgate::authz {
namespace {

using testing::HttpReply;

struct Probe {
  std::string method;
  std::string target;
  std::string body;
  std::string name() const { return method + " " + target + " " + body; }
};

// Keys the probes and the chains act on, created by the master key before the search.
struct Sentinel {
  std::string alias;
  Key key;
};

struct Fixture {
  World& w;
  std::vector<std::string> users;   // every user of the world
  std::vector<Sentinel> sentinels;  // one key per kind of holder (team, personal, each org)
  std::vector<Probe> probes;
};

const std::vector<std::optional<std::string>> kTeams = {std::nullopt, kAlpha, kBeta, kGamma};
const std::vector<std::optional<std::string>> kOrgs = {std::nullopt, kOrgA, kOrgB};

std::vector<std::string> world_users(World& w) {
  std::vector<std::string> users = {kAlphaPeer, kAPeer, kBetaPeer, kDualPeer};
  for (const auto& name : actor_names()) {
    if (w.actor(name).has_user()) users.push_back(w.actor(name).user_id);
  }
  return users;
}

Sentinel sentinel(World& w, Json fields) {
  Sentinel s{w.unique("sentinel"), {}};
  s.key = w.create_key(fields.s("key_alias", s.alias));
  return s;
}

std::vector<Probe> probe_set(World& w, const std::vector<std::string>& users, const std::vector<Sentinel>& sentinels) {
  std::vector<Probe> probes = {{"GET", "/budget/list", ""}, {"GET", "/global/spend", ""}};
  for (const auto& user : users) probes.push_back({"GET", "/user/info?user_id=" + url_encode(user), ""});
  for (const auto& team : {kAlpha, kBeta, kGamma}) probes.push_back({"GET", "/team/info?team_id=" + team, ""});
  for (const auto& org : {kOrgA, kOrgB}) {
    probes.push_back({"GET", "/organization/info?organization_id=" + org, ""});
    probes.push_back(
        {"POST", "/organization/update", Json().s("organization_id", org).s("organization_alias", org).str()});
  }
  for (const auto& name : actor_names()) {
    if (!w.actor(name).master) probes.push_back({"GET", "/key/info?key=" + w.actor(name).key.hash, ""});
  }
  for (const auto& s : sentinels) {
    probes.push_back({"GET", "/key/info?key=" + s.key.hash, ""});
    probes.push_back({"POST", "/key/update", Json().s("key", s.key.hash).s("key_alias", s.alias).str()});
  }
  for (const auto& team : {kAlpha, kBeta, kGamma}) {
    probes.push_back({"POST", "/team/update", Json().s("team_id", team).s("team_alias", team).str()});
  }
  for (const auto& user : {kAPeer, kBetaPeer, kDualPeer}) {
    probes.push_back({"POST", "/user/update", Json().s("user_id", user).raw("user_alias", "null").str()});
  }
  return probes;
}

std::vector<int> answers(const Fixture& f, const std::string& credential) {
  std::vector<int> out;
  for (const auto& p : f.probes) out.push_back(f.w.call(p.method, p.target, p.body, credential).status);
  return out;
}

// The organizations whose budgets the actor's keys may draw on: its own, those it
// administers, those of the teams it administers. Empty optional = any (proxy admins).
std::optional<std::set<std::string>> billable_orgs(const Actor& a) {
  if (a.master || a.user_role == "proxy_admin") return std::nullopt;
  std::set<std::string> orgs;
  if (a.service_account) return orgs;
  orgs.insert(a.org());  // "" for an actor in no organization: its keys draw on none
  for (const auto& m : a.orgs) {
    if (m.role == "org_admin") orgs.insert(m.id);
  }
  for (const auto& t : a.teams) {
    if (t.role == "admin") orgs.insert(t.id == kBeta ? kOrgB : kOrgA);
  }
  return orgs;
}

// A chain's step, as it is reported on failure.
struct Step {
  std::string method;
  std::string target;
  std::string body;
};

class Search {
 public:
  Search(Fixture& f, const Actor& actor)
      : f_(f), actor_(actor), baseline_(answers(f, actor.key.cleartext)), billable_(billable_orgs(actor)) {}

  // Every chain; returns the number of credentials checked.
  int run() {
    for (const auto& body : generate_bodies()) {
      const auto key = call_for_key({"POST", "/key/generate", body}, {});
      if (key) follow_generated(*key, body);
    }
    for (const auto& s : f_.sentinels) regenerate_victims(s);
    // Last: these may legitimately change the actor's own memberships.
    for (const auto& step : membership_and_role_steps()) {
      if (call({step}).status == 200) generate_for(step, user_of(step.body));
    }
    // The actor's own credential did not gain anything either.
    check_answers({{"GET", "(the actor's own key, after every chain)", ""}}, actor_.key.cleartext);
    return checked_;
  }

 private:
  struct Minted {
    std::string cleartext;
    std::string hash;
  };

  std::vector<std::string> generate_bodies() const {
    std::vector<std::optional<std::string>> users = {std::nullopt};
    for (const auto& u : f_.users) users.push_back(u);
    std::vector<std::string> bodies;
    for (const auto& user : users) {
      for (const auto& team : kTeams) {
        for (const auto& org : kOrgs) bodies.push_back(holder_body(user, team, org).str());
      }
    }
    return bodies;
  }

  static Json holder_body(const std::optional<std::string>& user, const std::optional<std::string>& team,
                          const std::optional<std::string>& org) {
    Json body;
    if (user) body.s("user_id", *user);
    if (team) body.s("team_id", *team);
    if (org) body.s("organization_id", *org);
    return body;
  }

  // Each single change of whose a key is: another user (or none), team (or none), organization.
  std::vector<std::string> holder_changes() const {
    std::vector<std::string> changes = {Json().raw("user_id", "null").str(), Json().raw("team_id", "null").str(),
                                        Json().raw("organization_id", "null").str()};
    for (const auto& u : f_.users) changes.push_back(Json().s("user_id", u).str());
    for (const auto& t : {kAlpha, kBeta, kGamma}) changes.push_back(Json().s("team_id", t).str());
    for (const auto& o : {kOrgA, kOrgB}) changes.push_back(Json().s("organization_id", o).str());
    return changes;
  }

  std::vector<Step> membership_and_role_steps() const {
    std::vector<Step> steps;
    for (const auto& u : f_.users) {
      for (const auto& team : {kAlpha, kBeta, kGamma}) {
        for (const char* role : {"user", "admin"}) {
          steps.push_back(
              {"POST", "/team/member_add",
               Json().s("team_id", team).raw("member", Json().s("user_id", u).s("role", role).str()).str()});
        }
      }
      for (const auto& org : {kOrgA, kOrgB}) {
        for (const char* role : {"internal_user", "org_admin"}) {
          steps.push_back(
              {"POST", "/organization/member_add",
               Json().s("organization_id", org).raw("member", Json().s("user_id", u).s("role", role).str()).str()});
        }
      }
      // Promotions of an existing member, the routes that change a role without adding anyone.
      for (const auto& team : {kAlpha, kBeta, kGamma}) {
        steps.push_back(
            {"POST", "/team/member_update", Json().s("team_id", team).s("user_id", u).s("role", "admin").str()});
      }
      for (const auto& org : {kOrgA, kOrgB}) {
        steps.push_back({"PATCH", "/organization/member_update",
                         Json().s("organization_id", org).s("user_id", u).s("role", "org_admin").str()});
      }
      for (const char* role : {"proxy_admin", "org_admin", "internal_user"}) {
        steps.push_back({"POST", "/user/update", Json().s("user_id", u).s("user_role", role).str()});
      }
    }
    return steps;
  }

  static std::string user_of(const std::string& body) {
    rapidjson::Document d;
    d.Parse(body.c_str());
    if (d.HasMember("user_id")) return d["user_id"].GetString();
    return d["member"]["user_id"].GetString();
  }

  // Second steps after a key was minted: every single holder change, by update and regenerate.
  void follow_generated(const Minted& key, const std::string& first_body) {
    const Step first{"POST", "/key/generate", first_body};
    Minted current = key;
    for (const auto& change : holder_changes()) {
      const std::string update_body = merge(change, current.hash);
      if (call({first, {"POST", "/key/update", update_body}}).status == 200) {
        check_credential({first, {"POST", "/key/update", update_body}}, current);
      }
      if (auto regenerated = call_for_key({"POST", "/key/regenerate", update_body}, {first})) current = *regenerated;
    }
  }

  // Second steps after a membership or role change: keys for that user on every team and org.
  void generate_for(const Step& first, const std::string& user) {
    for (const auto& team : kTeams) {
      for (const auto& org : kOrgs)
        call_for_key({"POST", "/key/generate", holder_body(user, team, org).str()}, {first});
    }
  }

  // A key the actor did not mint but may manage, regenerated with every holder change.
  void regenerate_victims(const Sentinel& kind) {
    const auto record = f_.w.store().find_key(kind.key.hash);
    REQUIRE(record.has_value());
    for (const auto& change : holder_changes()) {
      const auto victim = f_.w.create_key(holder_body(record->user_id, record->team_id, record->organization_id));
      call_for_key({"POST", "/key/regenerate", merge(change, victim.hash)},
                   {{"POST", "/key/generate (as master)",
                     holder_body(record->user_id, record->team_id, record->organization_id).str()}});
    }
  }

  static std::string merge(const std::string& change, const std::string& key_hash) {
    return "{" + quote("key") + ":" + quote(key_hash) + "," + change.substr(1);
  }

  HttpReply call(const std::vector<Step>& chain) {
    const auto& step = chain.back();
    return f_.w.call(step.method, step.target, step.body, actor_.key.cleartext);
  }

  // Runs the last step of `before` + `step`; a 200 that hands out a key is checked.
  std::optional<Minted> call_for_key(const Step& step, std::vector<Step> before) {
    before.push_back(step);
    const auto reply = call(before);
    if (reply.status != 200) return std::nullopt;
    Minted minted{json_string(reply.body, "key"), json_string(reply.body, "token")};
    REQUIRE(minted.cleartext.rfind("sk-", 0) == 0);
    testing::register_secret(minted.cleartext);
    check_credential(before, minted);
    return minted;
  }

  static std::string describe(const std::vector<Step>& chain) {
    std::string out;
    for (const auto& s : chain) out += "\n  " + s.method + " " + s.target + " " + s.body;
    return out;
  }

  void check_credential(const std::vector<Step>& chain, const Minted& minted) {
    ++checked_;
    const auto key = f_.w.store().find_key(minted.hash);
    REQUIRE(key.has_value());
    if (billable_) {
      INFO(actor_.name << " obtained a key drawing on organization '" << key->organization_id.value_or("")
                       << "' through:" << describe(chain));
      CHECK(billable_->count(key->organization_id.value_or("")) == 1);
    }
    // Keys with the same holder have the same rights: probe each holder once.
    const std::string holder = key->user_id.value_or("-") + "|" + key->team_id.value_or("-") + "|" +
                               key->organization_id.value_or("-") + "|" + (key->service_account ? "sa" : "");
    if (!probed_holders_.insert(holder).second) return;
    check_answers(chain, minted.cleartext);
  }

  void check_answers(const std::vector<Step>& chain, const std::string& credential) {
    const auto got = answers(f_, credential);
    for (std::size_t i = 0; i < got.size(); ++i) {
      if (got[i] != 200) continue;
      INFO(actor_.name << ": a credential obtained through" << describe(chain) << "\nmay " << f_.probes[i].name()
                       << " (200) where the actor itself gets " << baseline_[i]);
      CHECK(baseline_[i] == 200);
    }
  }

  Fixture& f_;
  const Actor& actor_;
  std::vector<int> baseline_;
  std::optional<std::set<std::string>> billable_;
  std::set<std::string> probed_holders_;
  int checked_ = 0;
};

void search_as(const std::string& actor_name) {
  World::tear_down();  // a fresh world: the chains below change it
  World& w = World::get();
  Fixture f{w, world_users(w), {}, {}};
  f.sentinels = {
      sentinel(w, Json().s("user_id", kAlphaPeer).s("team_id", kAlpha)),  // a team member's key
      sentinel(w, Json().s("team_id", kAlpha)),                           // a service account
      sentinel(w, Json().s("user_id", kAPeer)),                           // personal, org A
      sentinel(w, Json().s("user_id", kBetaPeer).s("team_id", kBeta)),    // org B team key
      sentinel(w, Json().s("user_id", kDualPeer)),                        // personal, org B (user also in A)
  };
  f.probes = probe_set(w, f.users, f.sentinels);
  const int checked = Search(f, w.actor(actor_name)).run();
  INFO(actor_name << ": " << checked << " credentials checked");
  World::tear_down();
}

}  // namespace
}  // namespace tollgate::authz

TEST_CASE("authz attacker: no chain of two calls yields more than the actor's rights", "[authz][attacker]") {
  for (const auto& name : {"admin_viewer", "org_admin_a", "org_admin_b", "team_admin", "member", "outsider",
                           "cross_org", "service_account", "user_viewer"}) {
    DYNAMIC_SECTION(name) { tollgate::authz::search_as(name); }
  }
}

// /key/delete by alias: another organization's alias answers exactly like a missing one.
TEST_CASE("authz attacker: key aliases are no existence oracle", "[authz][attacker]") {
  using namespace tollgate::authz;
  World& w = World::get();
  const std::string hidden = w.unique("hidden-alias");
  w.create_key(Json().s("user_id", kBetaPeer).s("key_alias", hidden));
  const std::string missing = w.unique("missing-alias");
  for (const auto& name : {"org_admin_a", "team_admin", "member", "outsider"}) {
    const auto& actor = w.actor(name);
    auto ask = [&](const std::string& alias) {
      auto reply = w.call("POST", "/key/delete", Json().strings("key_aliases", {alias}).str(), actor.key.cleartext);
      // The message names the alias asked for; the rest must be identical.
      const auto at = reply.body.find(alias);
      if (at != std::string::npos) reply.body.replace(at, alias.size(), "ALIAS");
      return reply;
    };
    const auto for_hidden = ask(hidden);
    const auto for_missing = ask(missing);
    INFO(name);
    CHECK(for_hidden.status == 404);
    CHECK(for_hidden.status == for_missing.status);
    CHECK(for_hidden.body == for_missing.body);
  }
  CHECK(w.store()
            .list_keys(
                [&] {
                  tollgate::persistence::KeyFilter f;
                  f.key_alias = hidden;
                  return f;
                }(),
                1, 10)
            .total_count == 1);
}
