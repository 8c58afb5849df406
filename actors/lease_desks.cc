// The owner's side of the cluster's admission: a desk per entity this node owns
// (core::LeaseDesk), its load by handover, its write-ahead exposure records (docs/cluster.md,
// "Owners and leases").
#include <algorithm>

#include "actors/lease_admission_impl.h"
#include "persistence/store.h"
#include "persistence/store_pool.h"
#include "spend/spend_writer.h"
#include "telemetry/log.h"

namespace tollgate::actors {

using namespace lease_detail;
using Impl = LeaseAdmission::Impl;
using persistence::EntityKind;

void Impl::serve_lease(core::LeaseRequest request, std::function<void(core::LeaseGrant)> reply) {
  const auto parsed = parse_lease_entity(request.entity);
  if (!parsed || network.owner_of(request.entity).id != options.node) {
    core::LeaseGrant moved;
    moved.not_owner = true;
    reply(std::move(moved));
    return;
  }
  bool created = false;
  auto d = desk(request.entity, *parsed, created);
  if (bound_elsewhere(*d, request)) d = replace_desk(d, created);
  Granted granted;
  {
    std::lock_guard lock(d->mutex);
    if (!d->loaded) {
      d->waiting.emplace_back(std::move(request), std::move(reply));
      if (!created) return;
    } else {
      granted = grant_locked(*d, request);
    }
  }
  if (created) {
    load_unless_deleted(d);
    return;
  }
  answer(*d, request.node, std::move(granted), std::move(reply));
}

// Write-ahead: a node's new exposure is kept before the grant that allows it reaches the node.
void Impl::answer(const Desk& d, const std::string& node, Granted granted,
                  std::function<void(core::LeaseGrant)> reply) {
  if (!granted.exposure) {
    reply(std::move(granted.grant));
    return;
  }
  network.record_exposure(
      d.entity, node, *granted.exposure,
      [reply = std::move(reply), grant = std::move(granted.grant)]() mutable { reply(std::move(grant)); });
}

// The asking node last heard from another owner since this desk loaded (its report is owed
// there): that owner may have granted what this desk does not count — the ring moved away and
// back faster than this node noticed, or the node was out of reach of this desk's handover.
bool Impl::bound_elsewhere(Desk& d, const core::LeaseRequest& request) {
  if (request.report_to.empty() || request.report_to == options.incarnation) return false;
  std::lock_guard lock(d.mutex);
  return d.loaded;
}

// A new desk in place of `stale` (unless another request replaced it already): its load asks
// every node again, fencing the entity to this owner.
DeskPtr Impl::replace_desk(const DeskPtr& stale, bool& created) {
  std::lock_guard lock(desk_mutex);
  auto& d = desks[stale->entity];
  created = d == stale || !d;
  if (created) {
    d = std::make_shared<Desk>(stale->entity, stale->parsed, options.incarnation, options.lease_ttl, options.linger);
    telemetry::log_info("lease_desk_reloaded", {{"entity", stale->entity.substr(0, 12)}});
  }
  return d;
}

DeskPtr Impl::desk(const std::string& entity, const ParsedLeaseEntity& parsed, bool& created) {
  std::lock_guard lock(desk_mutex);
  auto& d = desks[entity];
  created = !d;
  if (created) {
    d = std::make_shared<Desk>(entity, parsed, options.incarnation, options.lease_ttl, options.linger);
    if (parsed.per_model) model_desks.insert(entity);
  }
  return d;
}

Impl::Granted Impl::grant_locked(Desk& d, const core::LeaseRequest& request) {
  const auto now = Clock::now();
  d.last_used = now;
  if (!d.parsed.per_model) {
    d.desk.follow_reset_schedule(request.limits.reset_period_ms, request.limits.budget_reset_at, now_ms());
    if (d.desk.reset_if_due(now_ms())) {
      writer.reset(d.parsed.kind, d.parsed.id, d.desk.next_reset_ms());
      telemetry::log_info("budget_reset",
                          {{"entity", entity_word(d.parsed.kind)}, {"id_prefix", d.parsed.id.substr(0, 8)}});
    }
  }
  Granted out{d.desk.grant(request, now), std::nullopt};
  // Owed elsewhere: this desk loaded after the request arrived (bound_elsewhere), so it counts
  // what the other owner granted to every node it reached, and the request's keep and report
  // cover the asker: the asker may take this owner as its own, whatever handover fenced it.
  out.grant.rebase = !request.report_to.empty() && request.report_to != options.incarnation;
  if (out.grant.not_owner) return out;
  if (!d.parsed.per_model && request.limits.max_budget) {
    events.remaining(d.parsed.kind, d.parsed.id.substr(0, 8), request.limits.max_budget, d.desk.spend());
  }
  // What the node may use or have spent that the store may not show: its new holding, and what
  // it had not flushed when it asked.
  const auto [recent_requests, recent_tokens] = d.desk.reported_recently(request.node, now);
  const core::Exposure exposure{out.grant.held, request.unflushed_usd, recent_requests, recent_tokens};
  auto& recorded = d.recorded[request.node];
  if (exposure != recorded) {
    recorded = exposure;
    out.exposure = exposure;
  }
  return out;
}

// Taking an entity over: ask every node (this one too) for what the store does not show yet,
// fencing the entity there; then read the store (core/lease_handover.h).
void Impl::load(const DeskPtr& d) {
  handovers.Increment();
  struct Gather {
    std::mutex mutex;
    std::size_t missing = 0;
    double unflushed = 0;
    std::vector<std::pair<std::string, core::HandoverAnswer>> held;
  };
  auto peers = network.peers();
  for (auto& extra : nodes_outside_the_view(*d, peers)) peers.push_back(std::move(extra));
  auto gather = std::make_shared<Gather>();
  gather->missing = peers.size() + 1;
  auto answered = [this, d, gather](const std::string& node, core::Result<core::HandoverAnswer> answer) {
    std::unique_lock lock(gather->mutex);
    if (answer) {
      gather->unflushed += answer->unflushed_usd;
      gather->held.emplace_back(answer->node, *answer);
    } else {
      // A node that does not answer (dying, partitioned): what it holds from a previous owner
      // expires by itself; its unflushed spend is its journal's (docs/cluster.md, failures).
      telemetry::log_warn("lease_handover_unanswered", {{"node", node}, {"error", answer.error().message}});
    }
    if (--gather->missing > 0) return;
    lock.unlock();
    count_the_silent(d, gather->unflushed, std::move(gather->held));
  };
  const core::HandoverQuery query{d->entity, options.incarnation, options.endpoint};
  serve_handover(query, [answered, node = options.node](core::HandoverAnswer a) { answered(node, std::move(a)); });
  for (const auto& peer : peers) {
    network.request_handover(peer, query, [answered, node = peer.id](core::Result<core::HandoverAnswer> a) {
      answered(node, std::move(a));
    });
  }
}

// Nodes this node's view of the ring misses but that may hold leases on the entity: the last
// node that took it over from here, and the owners the waiting requests report to. Views of
// the ring disagree while members come and go; asking them fences them to this owner as well.
std::vector<LeaseNetwork::Node> Impl::nodes_outside_the_view(Desk& d, const std::vector<LeaseNetwork::Node>& peers) {
  std::vector<LeaseNetwork::Node> out;
  auto add = [&](const std::string& id, const std::string& endpoint) {
    if (endpoint.empty() || endpoint == options.endpoint || id == options.incarnation) return;
    const auto known = [&](const LeaseNetwork::Node& n) { return n.endpoint == endpoint; };
    if (std::any_of(peers.begin(), peers.end(), known) || std::any_of(out.begin(), out.end(), known)) return;
    out.push_back({id, endpoint});
  };
  {
    std::lock_guard lock(desk_mutex);
    if (const auto it = claimants.find(d.entity); it != claimants.end())
      add(it->second.node.id, it->second.node.endpoint);
  }
  std::lock_guard lock(d.mutex);
  for (const auto& [request, reply] : d.waiting) add(request.report_to, request.report_to_endpoint);
  return out;
}

// Nodes that did not answer the handover (dead, or out of this node's view while still
// serving; the node id is the incarnation up to its last '/') may use or have spent what their last exposure record
// says: their unflushed spend counts as spent, their holding is adopted like an answer's (it turns into spend if they
// never sync again). Conservative.
void Impl::count_the_silent(const DeskPtr& d, double unflushed,
                            std::vector<std::pair<std::string, core::HandoverAnswer>> held) {
  auto shared_held = std::make_shared<decltype(held)>(std::move(held));
  network.read_exposure(d->entity, [this, d, unflushed, shared_held](LeaseNetwork::ExposureRecords records) {
    double silent_unflushed = 0;
    for (const auto& [node, exposure] : records) {
      // Answered by this incarnation, or by a later one of the same node: a restarted node
      // replayed its journal into the store before it served, and its old leases died with
      // the old process.
      const auto id = node.substr(0, node.rfind('/'));
      const bool answered = std::any_of(shared_held->begin(), shared_held->end(), [&](const auto& h) {
        return h.first == node || h.first.substr(0, h.first.rfind('/')) == id;
      });
      if (answered) continue;
      silent_unflushed += exposure.unflushed_usd;
      core::HandoverAnswer silent;
      silent.node = node;
      silent.held = exposure.held;
      silent.recent_requests = exposure.recent_requests;
      silent.recent_tokens = exposure.recent_tokens;
      shared_held->emplace_back(node, silent);
      telemetry::log_warn("lease_exposure_counted", {{"node", node}, {"entity", d->entity.substr(0, 12)}});
    }
    read_store(d, unflushed + silent_unflushed, std::move(*shared_held));
  });
}

void Impl::read_store(const DeskPtr& d, double unflushed,
                      std::vector<std::pair<std::string, core::HandoverAnswer>> held) {
  if (d->parsed.per_model) {  // windows only: nothing in the store
    loaded(d, 0, held);
    return;
  }
  auto shared_held = std::make_shared<decltype(held)>(std::move(held));
  const auto kind = d->parsed.kind;
  const auto id = d->parsed.id;
  store.submit(
      [this, d, unflushed, shared_held, kind, id](persistence::Store& s) {
        const double spend = s.entity_spend(kind, id).value_or(0.0);
        loaded(d, spend + unflushed, *shared_held);
      },
      [this, d, unflushed, shared_held](persistence::JobFailure, const std::string&) {
        // The store is unreachable: what the nodes reported is all this owner knows. Logged:
        // the budget is enforced on the spend since the store went away only.
        telemetry::log_warn("budget_spend_store_unreachable", {{"entity", entity_word(d->parsed.kind)}});
        loaded(d, unflushed, *shared_held);
      });
}

void Impl::loaded(const DeskPtr& d, double spend,
                  const std::vector<std::pair<std::string, core::HandoverAnswer>>& held) {
  struct Answer {
    std::string node;
    Granted granted;
    std::function<void(core::LeaseGrant)> reply;
  };
  std::vector<Answer> answers;
  bool gone = false;
  {
    std::lock_guard lock(d->mutex);
    gone = d->gone;
    d->desk.load(spend);
    const auto now = Clock::now();
    for (const auto& [node, answer] : held) {
      d->desk.adopt(node, answer.held, now);
      d->desk.adopt_window(answer.recent_requests, answer.recent_tokens, now);
    }
    d->loaded = true;
    for (auto& [request, reply] : d->waiting) {
      answers.push_back({request.node, grant_locked(*d, request), std::move(reply)});
      if (gone) answers.back().granted.exposure.reset();  // nothing to keep for a deleted entity
    }
    d->waiting.clear();
  }
  for (auto& a : answers) answer(*d, a.node, std::move(a.granted), std::move(a.reply));
  if (gone) drop_desk(d);
}

void Impl::serve_handover(const core::HandoverQuery& query, const std::function<void(core::HandoverAnswer)>& reply) {
  if (query.new_owner != options.incarnation) {
    // Another node is taking the entity over (the ring moved, as that node sees it): a desk
    // kept here would grant from a count that misses what the other owner grants. If the ring
    // gives the entity back to this node, a new desk starts with a handover of its own, which
    // asks that node too.
    std::lock_guard lock(desk_mutex);
    desks.erase(query.entity);
    claimants[query.entity] = {{query.new_owner, query.new_owner_endpoint}, Clock::now()};
  }
  core::HandoverAnswer answer;
  const auto parsed = parse_lease_entity(query.entity);
  if (const auto h = find_held(query.entity)) {
    std::lock_guard lock(h->mutex);
    answer = h->holder.rebase(query.new_owner, Clock::now());
    h->owner_endpoint = query.new_owner == options.incarnation ? options.endpoint : query.new_owner_endpoint;
  }
  answer.node = options.incarnation;
  // Read after the rebase: a settle between the two is in the pending sum (counted), and the
  // holder's report to the new owner starts after the rebase (so counted once more at most).
  if (parsed && !parsed->per_model) answer.unflushed_usd = writer.pending(parsed->kind, parsed->id);
  reply(std::move(answer));
}

void Impl::tick_desk(const DeskPtr& d, Clock::time_point now) {
  std::lock_guard lock(d->mutex);
  if (!d->loaded) return;
  d->desk.expire(now);
  if (!d->parsed.per_model && d->desk.reset_if_due(now_ms())) {
    writer.reset(d->parsed.kind, d->parsed.id, d->desk.next_reset_ms());
  }
}

}  // namespace tollgate::actors
