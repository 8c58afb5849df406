#include "actors/owner_retirement.h"

#include "actors/admission.h"
#include "persistence/store.h"
#include "persistence/store_pool.h"
#include "telemetry/log.h"

namespace tollgate::actors {
namespace {

using persistence::ChangeKind;
using persistence::EntityKind;

// The budget entity a change names, if it names one.
std::optional<EntityKind> entity_of(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::key: return EntityKind::key;
    case ChangeKind::team: return EntityKind::team;
    case ChangeKind::user: return EntityKind::user;
    case ChangeKind::organization: return EntityKind::organization;
    default: return std::nullopt;
  }
}

}  // namespace

void OwnerRetirement::attach(Admission& admission, persistence::StorePool& store) {
  std::lock_guard lock(mutex_);
  admission_ = &admission;
  store_ = &store;
}

void OwnerRetirement::detach() {
  std::lock_guard lock(mutex_);
  admission_ = nullptr;
  store_ = nullptr;
}

void OwnerRetirement::committed(const std::vector<persistence::Change>& changes) noexcept {
  std::lock_guard lock(mutex_);
  if (!admission_) return;
  std::vector<std::pair<EntityKind, std::string>> to_check;
  for (const auto& change : changes) {
    const auto kind = entity_of(change.kind);
    if (!kind) continue;
    if (change.ids.empty()) {
      // Changes were missed (persistence/change.h): any entity of the kind with an owner here
      // may have been deleted meanwhile, so each is checked, as the key cache drops every key.
      for (auto& id : admission_->owned(*kind)) to_check.emplace_back(*kind, std::move(id));
      continue;
    }
    for (const auto& id : change.ids) {
      if (admission_->has_owner(*kind, id)) to_check.emplace_back(*kind, id);  // else nothing to retire: no query
    }
  }
  if (to_check.empty()) return;
  // The store pool outlives this listener's attachment (detach() comes first at shutdown, and
  // the pool finishes its queued jobs before it goes), so `this` is still here.
  store_->submit(
      [this, to_check = std::move(to_check)](persistence::Store& store) {
        for (const auto& [kind, id] : to_check) forget_if_gone(kind, id, store);
      },
      [](persistence::JobFailure, const std::string& error) {
        // The owners retire after their idle_timeout as before.
        telemetry::log_warn("deleted_owner_check_failed", {{"error", error}});
      });
}

void OwnerRetirement::forget_if_gone(EntityKind kind, const std::string& id, persistence::Store& store) {
  if (store.entity_spend(kind, id)) return;  // the row is there: updated, not deleted
  std::lock_guard lock(mutex_);
  if (admission_) admission_->forget(kind, id);
}

}  // namespace tollgate::actors
