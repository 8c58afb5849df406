#pragma once
// Retires the budget owner of a deleted key, team, user or organization at once (Admission::
// forget) instead of after the owner's idle_timeout: a node that creates and deletes keys all
// day would otherwise hold each deleted key's owner for ten minutes (the soak's RSS creep).
//
// It hears every committed change — this node's and, in cluster mode, the other nodes' —
// through the key cache's invalidator (identity/key_changes.h). A change does not say whether
// its entity was updated or deleted, and an updated entity must keep its owner (its rate
// windows and the spend of calls in flight), so for each changed entity that has an owner here
// it asks the store, on a store thread, whether the row is still there; only a missing one is
// forgotten. Deletions are rare management calls: one small query each, never on a request's
// path. In cluster mode every node does this for itself: "an owner here" is then a lease the
// node holds on the entity or the entity's desk, both dropped by Admission::forget
// (actors/lease_deleted.cc).
//
// When changes may have been missed (the cluster's fan-out lost its subscription or a message:
// KeyCacheInvalidator::missed_changes, a change of a kind naming no id), every entity with an
// owner here — in cluster mode its leases and desks — is checked the same way: the node drops
// its whole key cache then, and what a missed deletion left here goes too.
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "persistence/change.h"
#include "persistence/records.h"

namespace tollgate::persistence {
class Store;
class StorePool;
}  // namespace tollgate::persistence

namespace tollgate::actors {

class Admission;

class OwnerRetirement final : public persistence::ChangeListener {
 public:
  // Registered with the invalidator before the store opens; the admission exists only after
  // it, so changes heard before attach() are ignored (no owner exists yet).
  void attach(Admission& admission, persistence::StorePool& store);
  // Before the admission goes: waits for a retirement in progress; later changes and store
  // answers are ignored.
  void detach();

  void committed(const std::vector<persistence::Change>& changes) noexcept override;

 private:
  void forget_if_gone(persistence::EntityKind kind, const std::string& id, persistence::Store& store);

  std::mutex mutex_;  // guards the two pointers; held while calling the admission
  Admission* admission_ = nullptr;
  persistence::StorePool* store_ = nullptr;
};

}  // namespace tollgate::actors
