#include "identity/key_changes.h"

#include <algorithm>
#include <optional>
#include <string>

namespace tollgate::identity {
namespace {

using persistence::ChangeKind;

bool names(const std::vector<std::string>& ids, const std::optional<std::string>& id) {
  return id && std::find(ids.begin(), ids.end(), *id) != ids.end();
}

}  // namespace

bool affected_by(const KeyIdentity& identity, const persistence::Change& change) {
  const auto& key = identity.key;
  const auto& ids = change.ids;
  switch (change.kind) {
    case ChangeKind::key: return std::find(ids.begin(), ids.end(), key.token_hash) != ids.end();
    case ChangeKind::user:
      // The key's user_id, not identity.user: a user created after its key was cached counts.
      return names(ids, key.user_id);
    case ChangeKind::team: return names(ids, key.team_id);
    case ChangeKind::organization:
      return names(ids, key.organization_id) || (identity.team && names(ids, identity.team->organization_id)) ||
             (identity.organization && names(ids, identity.organization->organization_id));
    case ChangeKind::budget:
      return names(ids, key.budget_id) || (identity.organization && names(ids, identity.organization->budget_id));
    case ChangeKind::mcp_server: return false;  // no identity holds a server; the MCP registry reloads it
    case ChangeKind::model: return false;       // no identity holds a model; the model snapshot is rebuilt
    case ChangeKind::end_user: return false;    // no identity holds an end user; EndUserCache drops it
  }
  return true;  // a kind this switch does not know yet: drop rather than keep a stale identity
}

void KeyCacheInvalidator::missed_changes() noexcept {
  cache_.invalidate_all();
  // A change naming no id: any of its kind may have changed. The budget owners' follower
  // (actors/owner_retirement.h) checks each entity it holds state for against the store.
  const std::vector<persistence::Change> everything = {
      persistence::Change{ChangeKind::model, {}},       persistence::Change{ChangeKind::mcp_server, {}},
      persistence::Change{ChangeKind::end_user, {}},    persistence::Change{ChangeKind::key, {}},
      persistence::Change{ChangeKind::team, {}},        persistence::Change{ChangeKind::user, {}},
      persistence::Change{ChangeKind::organization, {}}};
  for (auto* follower : followers_) follower->committed(everything);
}

void KeyCacheInvalidator::committed(const std::vector<persistence::Change>& changes) noexcept {
  for (auto* follower : followers_) follower->committed(changes);
  bool others = false;
  for (const auto& change : changes) {
    if (change.kind != ChangeKind::key) {
      others = true;
      continue;
    }
    for (const auto& hash : change.ids) cache_.invalidate(hash);
  }
  if (!others) return;
  cache_.invalidate_if([&changes](const KeyIdentity& identity) {
    return std::any_of(changes.begin(), changes.end(), [&identity](const persistence::Change& change) {
      return change.kind != ChangeKind::key && affected_by(identity, change);
    });
  });
}

}  // namespace tollgate::identity
