#pragma once
// The behavior matrix's world: a real gateway in this process on a fresh PostgreSQL database,
// seeded through the public management API with the master key (so seeding exercises the
// endpoints too), with the actors of LiteLLM's pinned suite: 2 organizations, 3 teams, one
// user + key per actor.
//
//   org A: team alpha (team_admin: admin; member, user_viewer, alpha_peer: user),
//          team gamma (no members), users outsider and a_peer (no team), org_admin_a
//   org B: team beta (cross_org, beta_peer: user), org_admin_b, dual_peer (also in org A)
//   no org: proxy_admin (user_role proxy_admin), admin_viewer (proxy_admin_viewer), the master
//           key, and service_account (a key of team alpha without a user)
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "persistence/records.h"
#include "tests/support/http_client.h"

namespace tollgate::persistence {
class Store;
}
namespace tollgate::testing {
class TestDatabase;
class TestGateway;
}  // namespace tollgate::testing

namespace tollgate::authz {

inline const std::string kOrgA = "org-a";
inline const std::string kOrgB = "org-b";
inline const std::string kAlpha = "team-alpha";
inline const std::string kBeta = "team-beta";
inline const std::string kGamma = "team-gamma";
// Users that are not actors: owners of the keys other actors look at.
inline const std::string kAlphaPeer = "user-alpha_peer";  // org A, team alpha (user)
inline const std::string kAPeer = "user-a_peer";          // org A, no team
inline const std::string kBetaPeer = "user-beta_peer";    // org B, team beta (user)
inline const std::string kDualPeer = "user-dual_peer";    // org B (its own), also a member of org A

struct Membership {
  std::string id;    // team_id or organization_id
  std::string role;  // team: admin | user; organization: org_admin | internal_user | …
};

struct Key {
  std::string cleartext;  // never printed: registered as a secret for the log check
  std::string hash;
};

struct Actor {
  std::string name;
  bool master = false;           // the master key itself
  bool service_account = false;  // a team key without a user
  std::string user_role;         // empty for the master key and the service account
  std::vector<Membership> teams;
  std::vector<Membership> orgs;
  std::string user_id;  // empty for the master key and the service account
  Key key;              // the credential it calls with

  bool has_user() const { return !user_id.empty(); }
  // The actor's first team / organization and its role there ("" when none).
  std::string team() const { return teams.empty() ? "" : teams.front().id; }
  std::string team_role() const { return teams.empty() ? "" : teams.front().role; }
  std::string org() const { return orgs.empty() ? "" : orgs.front().id; }
  std::string org_role() const { return orgs.empty() ? "" : orgs.front().role; }
};

// The actor names, in the order every grid lists them.
const std::vector<std::string>& actor_names();

// A JSON object built field by field (values escaped by rapidjson).
class Json {
 public:
  Json& s(const std::string& name, const std::string& value);
  Json& n(const std::string& name, double value);
  Json& b(const std::string& name, bool value);
  Json& raw(const std::string& name, const std::string& json);  // any JSON text
  Json& strings(const std::string& name, const std::vector<std::string>& values);
  bool has(const std::string& name) const;
  std::string str() const;

 private:
  std::vector<std::pair<std::string, std::string>> fields_;  // name → JSON text
};
std::string quote(const std::string& text);

class World {
 public:
  // Created (database, gateway, seed) on first use; one per process.
  static World& get();
  static void tear_down();
  ~World();

  // ---- HTTP: every assertion goes through here ----
  testing::HttpReply call(const std::string& method, const std::string& target, const std::string& body,
                          const std::string& credential) const;
  testing::HttpReply as_master(const std::string& method, const std::string& target,
                               const std::string& body = "") const;
  // POST /v1/chat/completions with a mock/ model: 200 for a working key, 401 otherwise.
  int chat_status(const std::string& credential) const;
  const std::string& master_key() const { return master_key_; }

  // Whether the gateway registers this route (method + pattern), from api::register_routes.
  bool has_route(const std::string& method, const std::string& pattern) const;
  const std::vector<std::pair<std::string, std::string>>& management_routes() const { return routes_; }

  // ---- the database, read behind the gateway's back ----
  persistence::Store& store() const { return *store_; }
  std::int64_t last_audit_id() const;

  // ---- actors ----
  const Actor& actor(const std::string& name) const;
  // A fresh user with the same role and memberships as `actor` plus the extra ones, and a
  // fresh key: the same actor, for a cell that needs it related to a scratch object (a key
  // never used before, so no cached identity can be stale).
  Actor clone(const Actor& actor, const std::vector<Membership>& extra_teams = {},
              const std::vector<Membership>& extra_orgs = {});

  // Credentials that must answer 401 everywhere.
  const Key& expired_key() const { return expired_; }
  const Key& blocked_key() const { return blocked_; }
  std::string wrong_key() const;

  // ---- seeding and scratch objects: the public API with the master key ----
  std::string unique(const std::string& stem);  // "s17-stem": ids and aliases of scratch objects
  void create_org(const std::string& organization_id);
  void create_team(const std::string& team_id, const std::optional<std::string>& organization_id, Json extra = Json());
  // /user/new: `organization_id` (when given) is the user's organization, joined with its
  // user_role as membership role.
  void create_user(const std::string& user_id, const std::string& user_role,
                   const std::optional<std::string>& organization_id);
  void add_org_member(const std::string& organization_id, const std::string& user_id, const std::string& role);
  void add_team_member(const std::string& team_id, const std::string& user_id, const std::string& role);
  // A fresh user (id "sN-stem") in these organizations (the first is its own) and teams.
  std::string create_member_user(const std::string& stem, const std::string& user_role,
                                 const std::vector<Membership>& teams, const std::vector<Membership>& orgs);
  void create_budget(const std::string& budget_id);
  // /key/generate as the master key with these fields (a unique key_alias is added when
  // missing); the key's cleartext is registered as a secret.
  Key create_key(Json fields);
  // A key that does not exist.
  Key missing_key() const;

 private:
  World();
  void seed();
  Actor make_actor(Actor spec);
  void require_ok(const testing::HttpReply& reply, const std::string& what) const;

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<testing::TestGateway> gateway_;
  std::unique_ptr<persistence::Store> store_;
  std::string master_key_;
  std::uint16_t port_ = 0;
  std::set<std::pair<std::string, std::string>> route_set_;
  std::vector<std::pair<std::string, std::string>> routes_;  // management routes only
  std::vector<Actor> actors_;
  Key expired_;
  Key blocked_;
  std::int64_t expired_at_ms_ = 0;
  int counter_ = 0;
};

// Every route the gateway registers whose path is a management path.
std::vector<std::pair<std::string, std::string>> registered_management_routes();
bool is_management_path(const std::string& path);

}  // namespace tollgate::authz
