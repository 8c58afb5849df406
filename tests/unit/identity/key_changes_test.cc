// The key cache's subscriber to the store's change events: which cached identities a change
// touches (a table), and that committing a change drops exactly those from a real KeyCache
// while every other key — and every remembered unknown key — stays cached.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "identity/key_cache.h"
#include "identity/key_changes.h"

using namespace tollgate;
using identity::KeyCache;
using identity::KeyIdentity;
using identity::KeyIdentityPtr;
using persistence::Change;
using persistence::ChangeKind;

namespace {

// A personal key of user u1 in org o1 with budget b1; a team key of team t1 (in org o2, whose
// budget is b2); a key of nobody.
std::map<std::string, KeyIdentity> identities() {
  KeyIdentity personal;
  personal.key.token_hash = "a-personal";
  personal.key.user_id = "u1";
  personal.key.organization_id = "o1";
  personal.key.budget_id = "b1";
  personal.user = persistence::UserRecord{};
  personal.user->user_id = "u1";
  personal.organization = persistence::OrganizationRecord{};
  personal.organization->organization_id = "o1";

  KeyIdentity team_key;
  team_key.key.token_hash = "b-team";
  team_key.key.team_id = "t1";
  team_key.team = persistence::TeamRecord{};
  team_key.team->team_id = "t1";
  team_key.team->organization_id = "o2";
  team_key.organization = persistence::OrganizationRecord{};
  team_key.organization->organization_id = "o2";
  team_key.organization->budget_id = "b2";

  KeyIdentity orphan;
  orphan.key.token_hash = "c-orphan";
  return {{"personal", personal}, {"team", team_key}, {"orphan", orphan}};
}

}  // namespace

TEST_CASE("affected_by: a change touches the keys resolved from what it names", "[unit][identity][changes]") {
  struct Row {
    Change change;
    std::vector<std::string> affected;  // of personal, team, orphan
  };
  const std::vector<Row> table = {
      {{ChangeKind::key, {"a-personal"}}, {"personal"}},
      {{ChangeKind::key, {"b-team", "c-orphan"}}, {"team", "orphan"}},
      {{ChangeKind::key, {"u1", "t1"}}, {}},  // keys are named by hash only
      {{ChangeKind::user, {"u1"}}, {"personal"}},
      {{ChangeKind::user, {"u2"}}, {}},
      {{ChangeKind::team, {"t1"}}, {"team"}},
      {{ChangeKind::team, {"u1"}}, {}},  // kinds do not mix
      {{ChangeKind::organization, {"o1"}}, {"personal"}},
      {{ChangeKind::organization, {"o2"}}, {"team"}},  // the team's organization
      {{ChangeKind::organization, {"o3", "o1", "o2"}}, {"personal", "team"}},
      {{ChangeKind::budget, {"b1"}}, {"personal"}},
      {{ChangeKind::budget, {"b2"}}, {"team"}},  // the organization's budget
      {{ChangeKind::budget, {"b3"}}, {}},
      {{ChangeKind::user, {}}, {}},
      {{ChangeKind::model, {"u1", "t1", "o1", "b1"}}, {}},  // models are no part of an identity
  };
  const auto cached = identities();
  for (const auto& row : table) {
    for (const auto& [name, identity] : cached) {
      const bool expected = std::find(row.affected.begin(), row.affected.end(), name) != row.affected.end();
      INFO("kind " << static_cast<int>(row.change.kind) << " ids[0] "
                   << (row.change.ids.empty() ? "" : row.change.ids[0]) << " identity " << name);
      CHECK(identity::affected_by(identity, row.change) == expected);
    }
  }
}

TEST_CASE("affected_by: a team key's organization counts even before the organization exists",
          "[unit][identity][changes]") {
  KeyIdentity identity;
  identity.key.token_hash = "h";
  identity.key.team_id = "t1";
  identity.key.organization_id = "o-later";  // resolved while the organization was missing
  CHECK(identity::affected_by(identity, Change{ChangeKind::organization, {"o-later"}}));
  identity.key.user_id = "u-later";  // a key made for a user id before the user existed
  CHECK(identity::affected_by(identity, Change{ChangeKind::user, {"u-later"}}));
}

namespace {

struct CachedWorld {
  KeyCache cache;
  identity::KeyCacheInvalidator invalidator{cache};

  CachedWorld() {
    for (const auto& [name, identity] : identities()) {
      cache.put(identity.key.token_hash, std::make_shared<const KeyIdentity>(identity), cache.generation());
    }
    cache.put_missing("d-unknown", cache.generation());
  }

  bool cached(const std::string& hash) const {
    KeyIdentityPtr out;
    return cache.find(hash, out) == KeyCache::Lookup::hit;
  }
  bool remembered_missing(const std::string& hash) const {
    KeyIdentityPtr out;
    return cache.find(hash, out) == KeyCache::Lookup::known_missing;
  }
};

}  // namespace

TEST_CASE("a committed team change drops that team's keys and keeps every other key cached",
          "[unit][identity][changes]") {
  CachedWorld w;
  REQUIRE(w.cache.size() == 4);
  w.invalidator.committed({Change{ChangeKind::team, {"t1"}}});
  CHECK_FALSE(w.cached("b-team"));
  CHECK(w.cached("a-personal"));
  CHECK(w.cached("c-orphan"));
  CHECK(w.remembered_missing("d-unknown"));
  CHECK(w.cache.size() == 3);
}

TEST_CASE("an organization change drops its team's keys, a user change drops the user's keys",
          "[unit][identity][changes]") {
  CachedWorld w;
  w.invalidator.committed({Change{ChangeKind::organization, {"o2"}}, Change{ChangeKind::user, {"u1"}}});
  CHECK_FALSE(w.cached("b-team"));
  CHECK_FALSE(w.cached("a-personal"));
  CHECK(w.cached("c-orphan"));
  CHECK(w.remembered_missing("d-unknown"));
}

TEST_CASE("a key change drops the named hashes, a remembered unknown one too", "[unit][identity][changes]") {
  CachedWorld w;
  w.invalidator.committed({Change{ChangeKind::key, {"c-orphan", "d-unknown"}}});
  CHECK_FALSE(w.cached("c-orphan"));
  CHECK_FALSE(w.remembered_missing("d-unknown"));  // a key created with that cleartext works at once
  CHECK(w.cached("a-personal"));
  CHECK(w.cached("b-team"));
  CHECK(w.cache.size() == 2);
}

TEST_CASE("a lookup that read the store before a change cannot put its stale identity back",
          "[unit][identity][changes]") {
  CachedWorld w;
  const auto generation_at_start = w.cache.generation();        // a miss starts reading the store ...
  w.invalidator.committed({Change{ChangeKind::team, {"t9"}}});  // ... a change commits meanwhile
  KeyIdentity stale;
  stale.key.token_hash = "e-new";
  w.cache.put("e-new", std::make_shared<const KeyIdentity>(stale), generation_at_start);
  CHECK_FALSE(w.cached("e-new"));
  w.cache.put("e-new", std::make_shared<const KeyIdentity>(stale), w.cache.generation());
  CHECK(w.cached("e-new"));
}

TEST_CASE("missed changes drop every key, the remembered unknown ones too, and refuse fills that started before",
          "[unit][identity][changes]") {
  CachedWorld w;
  const auto generation_at_start = w.cache.generation();
  w.invalidator.missed_changes();
  CHECK(w.cache.size() == 0);
  CHECK_FALSE(w.remembered_missing("d-unknown"));
  KeyIdentity stale;
  stale.key.token_hash = "e-new";
  w.cache.put("e-new", std::make_shared<const KeyIdentity>(stale), generation_at_start);
  CHECK_FALSE(w.cached("e-new"));
}

TEST_CASE("the followers hear every change, and a model and an MCP server change naming none after missed changes",
          "[unit][identity][changes]") {
  struct Recorder final : persistence::ChangeListener {
    std::vector<std::vector<Change>> heard;
    void committed(const std::vector<Change>& changes) noexcept override { heard.push_back(changes); }
  };
  CachedWorld w;
  Recorder follower, second;
  w.invalidator.also_notify(&follower);
  w.invalidator.also_notify(&second);
  const std::vector<Change> changes = {Change{ChangeKind::model, {"md-1"}}, Change{ChangeKind::key, {"c-orphan"}}};
  w.invalidator.committed(changes);
  CHECK_FALSE(w.cached("c-orphan"));
  CHECK(w.cached("a-personal"));  // a model change drops no key
  w.invalidator.missed_changes();
  for (const auto* f : {&follower, &second}) {
    REQUIRE(f->heard.size() == 2);
    CHECK(f->heard[0] == changes);
    CHECK(f->heard[1] == std::vector<Change>{Change{ChangeKind::model, {}}, Change{ChangeKind::mcp_server, {}},
                                             Change{ChangeKind::end_user, {}}, Change{ChangeKind::key, {}},
                                             Change{ChangeKind::team, {}}, Change{ChangeKind::user, {}},
                                             Change{ChangeKind::organization, {}}});
  }
}
