#include "actors/lease_admission.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "actors/lease_admission_impl.h"

namespace tollgate::actors {

using namespace lease_detail;
using Impl = LeaseAdmission::Impl;
using persistence::EntityKind;

Impl::Impl(persistence::StorePool& store, spend::SpendWriter& writer, prometheus::Registry& registry,
           LeaseNetwork& network, LeaseOptions options, LeaseEvents events)
    : store(store),
      writer(writer),
      network(network),
      options(std::move(options)),
      events(std::move(events)),
      syncs(prometheus::BuildCounter()
                .Name("tollgate_cluster_lease_syncs_total")
                .Help("Lease syncs this node sent to entity owners, by outcome")
                .Register(registry)),
      granted(syncs.Add({{"outcome", "granted"}})),
      refused(syncs.Add({{"outcome", "refused"}})),
      not_owner(syncs.Add({{"outcome", "not_owner"}})),
      failed(syncs.Add({{"outcome", "failed"}})),
      handovers(prometheus::BuildCounter()
                    .Name("tollgate_cluster_handovers_total")
                    .Help("Entities this node started owning (spend loaded after asking every node)")
                    .Register(registry)
                    .Add({})),
      entities(prometheus::BuildGauge()
                   .Name("tollgate_cluster_lease_entities")
                   .Help("Entities with a lease on this node (role=holder) or owned by it (role=owner)")
                   .Register(registry)),
      holders_gauge(entities.Add({{"role", "holder"}})),
      owners_gauge(entities.Add({{"role", "owner"}})) {}

namespace {

// Drops the names whose entity has no holder (desk) any more.
template <typename Map>
void prune_names(std::set<std::string>& names, const Map& by_name) {
  for (auto it = names.begin(); it != names.end();) it = by_name.count(*it) ? std::next(it) : names.erase(it);
}

}  // namespace

void Impl::tick() {
  const auto now = Clock::now();
  std::vector<HeldPtr> held_now;
  {
    std::lock_guard lock(held_mutex);
    for (auto it = helds.begin(); it != helds.end();) {
      auto& h = it->second;
      bool idle = false;
      {
        std::lock_guard held_lock(h->mutex);
        idle = h->waiting.empty() && !h->holder.has_reservations() &&
               (h->deleted || (!h->holder.sync_in_flight() && now - h->last_used > options.idle_timeout));
      }
      if (idle) {
        it = helds.erase(it);
        continue;
      }
      held_now.push_back(h);
      ++it;
    }
    for (auto it = deleted_helds.begin(); it != deleted_helds.end();) {
      const bool done = [&] {
        std::lock_guard held_lock(it->second->mutex);
        return !it->second->holder.has_reservations();
      }();
      if (done) {
        it = deleted_helds.erase(it);
        continue;
      }
      held_now.push_back(it->second);  // its reservations expire as any holder's
      ++it;
    }
    prune_names(model_helds, helds);
  }
  holders_gauge.Set(static_cast<double>(held_now.size()));
  for (const auto& h : held_now) tick_held(h, now);

  std::vector<DeskPtr> desks_now;
  {
    std::lock_guard lock(desk_mutex);
    for (auto it = claimants.begin(); it != claimants.end();) {
      it = now - it->second.at > std::chrono::minutes(1) ? claimants.erase(it) : std::next(it);
    }
    for (auto it = deleted_desks.begin(); it != deleted_desks.end();) {
      it = now - it->second > options.idle_timeout ? deleted_desks.erase(it) : std::next(it);
    }
    for (auto it = desks.begin(); it != desks.end();) {
      const auto& d = it->second;
      bool drop = network.owner_of(d->entity).id != options.node;  // ownership moved
      if (!drop) {
        std::lock_guard desk_lock(d->mutex);
        drop = d->loaded && d->waiting.empty() && d->desk.idle(now) && now - d->last_used > options.idle_timeout;
      }
      if (drop) {
        it = desks.erase(it);
        continue;
      }
      desks_now.push_back(d);
      ++it;
    }
    prune_names(model_desks, desks);
  }
  owners_gauge.Set(static_cast<double>(desks_now.size()));
  for (const auto& d : desks_now) tick_desk(d, now);
}

LeaseAdmission::LeaseAdmission(persistence::StorePool& store, spend::SpendWriter& writer, prometheus::Registry& metrics,
                               LeaseNetwork& network, LeaseOptions options, LeaseEvents events)
    : impl_(std::make_unique<Impl>(store, writer, metrics, network, std::move(options), std::move(events))) {
  impl_->timer = std::thread([impl = impl_.get()] {
    std::unique_lock lock(impl->timer_mutex);
    while (!impl->stopping) {
      impl->timer_wake.wait_for(lock, impl->options.tick);
      if (impl->stopping) break;
      lock.unlock();
      impl->tick();
      lock.lock();
    }
  });
}

LeaseAdmission::~LeaseAdmission() { stop(); }

void LeaseAdmission::stop() {
  {
    std::lock_guard lock(impl_->timer_mutex);
    impl_->stopping = true;
  }
  impl_->timer_wake.notify_all();
  if (impl_->timer.joinable()) impl_->timer.join();
}

void LeaseAdmission::admit(AdmissionRequest request, std::function<void(AdmissionResult)> done) {
  auto t = std::make_unique<Ticket>();
  t->checks = lease_checks(request);
  t->request = std::move(request);
  t->done = std::move(done);
  impl_->walk(std::move(t));
}

void LeaseAdmission::settle(const AdmissionGrant& grant, double cost, std::int64_t tokens) {
  for (const auto& stop : grant.stops) {
    impl_->end(lease_entity(stop.kind, stop.id), stop.reservation, true, cost, tokens);
    if (stop.model_reservation) {
      impl_->end(model_lease_entity(stop.kind, stop.id, grant.model), stop.model_reservation, true, cost, tokens);
    }
  }
}

void LeaseAdmission::release(const AdmissionGrant& grant) {
  for (const auto& stop : grant.stops) {
    impl_->end(lease_entity(stop.kind, stop.id), stop.reservation, false, 0, 0);
    if (stop.model_reservation) {
      impl_->end(model_lease_entity(stop.kind, stop.id, grant.model), stop.model_reservation, false, 0, 0);
    }
  }
}

void LeaseAdmission::forget(persistence::EntityKind kind, const std::string& id) { impl_->forget(kind, id); }

bool LeaseAdmission::has_state(persistence::EntityKind kind, const std::string& id) const {
  return impl_->has_state(kind, id);
}

std::vector<std::string> LeaseAdmission::with_state(persistence::EntityKind kind) const {
  return impl_->with_state(kind);
}

void LeaseAdmission::serve_lease(core::LeaseRequest request, std::function<void(core::LeaseGrant)> reply) {
  impl_->serve_lease(std::move(request), std::move(reply));
}

void LeaseAdmission::serve_handover(core::HandoverQuery query, std::function<void(core::HandoverAnswer)> reply) {
  impl_->serve_handover(query, reply);
}

}  // namespace tollgate::actors
