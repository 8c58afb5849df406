// A deleted key, team, user or organization in a cluster (docs/cluster.md, "Deleted entities"):
// every node that hears the deletion (actors/owner_retirement.h, through the change fan-out)
// drops its holders and desks of the entity at once, instead of after their idle timeout.
//
// A holder sends nothing more: no renewal and no return of its unused lease. The owner drops
// its desk too, so a return would only make it load the entity again (a handover round to every
// node); an owner that has not heard yet, or that is gone, counts the unused lease as spent at
// its expiry, which for an entity that no longer exists changes nothing.
#include "actors/lease_admission_impl.h"
#include "persistence/store.h"
#include "persistence/store_pool.h"
#include "telemetry/log.h"

namespace tollgate::actors {

using namespace lease_detail;
using Impl = LeaseAdmission::Impl;
using persistence::EntityKind;

namespace {

// The entity's own name, and those of its per-model entities in `model_names` (keys only).
std::vector<std::string> names_of(EntityKind kind, const std::string& id, const std::set<std::string>& model_names) {
  std::vector<std::string> names{lease_entity(kind, id)};
  const auto prefix = model_lease_entity(kind, id, "");
  for (auto it = model_names.lower_bound(prefix); it != model_names.end() && it->compare(0, prefix.size(), prefix) == 0;
       ++it) {
    names.push_back(*it);
  }
  return names;
}

}  // namespace

bool Impl::has_state(EntityKind kind, const std::string& id) {
  {
    std::lock_guard lock(held_mutex);
    for (const auto& name : names_of(kind, id, model_helds)) {
      if (helds.count(name)) return true;
    }
  }
  std::lock_guard lock(desk_mutex);
  for (const auto& name : names_of(kind, id, model_desks)) {
    if (desks.count(name)) return true;
  }
  return false;
}

std::vector<std::string> Impl::with_state(EntityKind kind) {
  std::set<std::string> ids;
  const auto add = [&](const std::string& name) {
    if (const auto parsed = parse_lease_entity(name); parsed && parsed->kind == kind) ids.insert(parsed->id);
  };
  {
    std::lock_guard lock(held_mutex);
    for (const auto& [name, h] : helds) add(name);
  }
  {
    std::lock_guard lock(desk_mutex);
    for (const auto& [name, d] : desks) add(name);
  }
  return {ids.begin(), ids.end()};
}

void Impl::forget(EntityKind kind, const std::string& id) {
  std::vector<HeldPtr> held_now;
  {
    std::lock_guard lock(held_mutex);
    for (const auto& name : names_of(kind, id, model_helds)) {
      if (const auto it = helds.find(name); it != helds.end()) held_now.push_back(it->second);
    }
  }
  for (const auto& h : held_now) forget_held(h);

  const auto now = Clock::now();
  std::lock_guard lock(desk_mutex);
  for (const auto& name : names_of(kind, id, model_desks)) {
    // A desk still loading answers its waiting syncs all the same, from the dropped desk.
    if (desks.erase(name)) deleted_desks[name] = now;
  }
}

void Impl::forget_held(const HeldPtr& h) {
  std::deque<TicketPtr> waiting;
  bool idle = false;
  {
    std::lock_guard lock(h->mutex);
    h->deleted = true;
    waiting.swap(h->waiting);
    idle = !h->holder.has_reservations();
  }
  if (idle) drop_held(h);
  // Admissions that passed authentication before the deletion and wait for a lease that will
  // not come: answered as the key's next request would be.
  for (auto& t : waiting) fail(std::move(t), core::unauthorized());
}

void Impl::drop_held(const HeldPtr& h) {
  std::lock_guard lock(held_mutex);
  for (auto* by_name : {&helds, &deleted_helds}) {
    if (const auto it = by_name->find(h->entity); it != by_name->end() && it->second == h) by_name->erase(it);
  }
}

void Impl::drop_desk(const DeskPtr& d) {
  std::lock_guard lock(desk_mutex);
  if (const auto it = desks.find(d->entity); it != desks.end() && it->second == d) desks.erase(it);
}

void Impl::load_unless_deleted(const DeskPtr& d) {
  bool forgotten = false;
  {
    std::lock_guard lock(desk_mutex);
    forgotten = deleted_desks.count(d->entity) > 0;
  }
  if (!forgotten) {
    load(d);
    return;
  }
  const auto kind = d->parsed.kind;
  const auto id = d->parsed.id;
  store.submit(
      [this, d, kind, id](persistence::Store& s) {
        if (s.entity_spend(kind, id)) {  // created again with the same id: an entity like any other
          {
            std::lock_guard lock(desk_mutex);
            deleted_desks.erase(d->entity);
          }
          load(d);
          return;
        }
        // Still deleted: a late sync from a node that had not heard of it yet. Answered from an
        // empty desk without asking anyone; the desk goes once it has answered.
        {
          std::lock_guard lock(d->mutex);
          d->gone = true;
        }
        loaded(d, 0, {});
      },
      [this, d](persistence::JobFailure, const std::string&) { load(d); });
}

}  // namespace tollgate::actors
