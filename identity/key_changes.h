#pragma once
// The node's subscriber to the store's change events: drops from the key cache exactly the
// keys whose cached identity a committed change touches (docs/storage.md, "Change events").
// The cluster's fan-out feeds the changes it receives from other nodes to the same place.
#include <vector>

#include "identity/key_cache.h"
#include "identity/key_identity.h"
#include "persistence/change.h"

namespace tollgate::identity {

// Whether a cached identity was resolved from something `change` names: the key itself, its
// user, its team, its organization (its own or its team's) or a budget it or its organization
// points at. Key changes name hashes, which the cache drops directly.
bool affected_by(const KeyIdentity& identity, const persistence::Change& change);

class KeyCacheInvalidator final : public persistence::ChangeListener {
 public:
  explicit KeyCacheInvalidator(KeyCache& cache) : cache_(cache) {}

  // Other local subscribers that hear every change this one hears, from this node's store and
  // from the other nodes (the model snapshot's refresher, the MCP registry); added before the
  // store opens.
  void also_notify(persistence::ChangeListener* follower) { followers_.push_back(follower); }

  // Key changes drop their hashes; every other change of the transaction is applied in one
  // pass over the cache.
  void committed(const std::vector<persistence::Change>& changes) noexcept override;
  // Changes may have been missed (the cluster lost its subscription, or a message): nothing is
  // known about what changed, so every cached key goes (cluster/change_subscriber.h).
  // The followers hear a model, an MCP server, an end-user, a key, a team, a user and an
  // organization change naming no id: reload (or check) every one.
  void missed_changes() noexcept;

 private:
  KeyCache& cache_;
  std::vector<persistence::ChangeListener*> followers_;
};

}  // namespace tollgate::identity
