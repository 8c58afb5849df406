#pragma once
// The lease protocol's messages on the wire between nodes (cluster/peer_link): CAF 0.17
// `inspect` overloads for the plain structs of core/lease.h, kept here so core/ stays free of
// CAF. Every field is serialized; a field added to a struct must be added here too
// (tests/integration/peer_link_test.cc compares every field after a round trip).
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/sec.hpp>

#include <optional>
#include <type_traits>

#include "core/lease.h"
#include "core/lease_handover.h"

namespace tollgate::cluster {

// "Grant me a lease" (LeaseRequest → LeaseGrant) and "I am taking this entity over"
// (HandoverQuery → HandoverAnswer, core/lease_handover.h).
using lease_atom = caf::atom_constant<caf::atom("tg_lease")>;
using handover_atom = caf::atom_constant<caf::atom("tg_handovr")>;
// Local: "can a TCP connection be made" (cluster/peer_probe.h); "take what waits in your
// mailbox" (cluster/peer_mailbox.h).
using probe_atom = caf::atom_constant<caf::atom("tg_probe")>;
using drain_atom = caf::atom_constant<caf::atom("tg_drain")>;

// Registers the messages' types (on every node: the serializer looks them up by name).
void add_peer_message_types(caf::actor_system_config& config);

// CAF 0.17 has no std::optional support: a presence flag, then the value.
template <class T>
struct OptionalField {
  std::optional<T>& value;
};

template <class Inspector, class T>
std::enable_if_t<Inspector::reads_state, typename Inspector::result_type> inspect(Inspector& f, OptionalField<T>& x) {
  bool present = x.value.has_value();
  T value = present ? *x.value : T{};
  return f(present, value);
}

template <class Inspector, class T>
std::enable_if_t<Inspector::writes_state, typename Inspector::result_type> inspect(Inspector& f, OptionalField<T>& x) {
  bool present = false;
  T value{};
  auto err = f(present, value);
  if (!err) x.value = present ? std::optional<T>(value) : std::nullopt;
  return err;
}

template <class T>
OptionalField<T> optional_field(std::optional<T>& value) {
  return OptionalField<T>{value};
}

}  // namespace tollgate::cluster

namespace tollgate::core {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, LeaseAmounts& x) {
  return f(caf::meta::type_name("LeaseAmounts"), x.usd, x.requests, x.tokens, x.parallel);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, LeaseLimits& x) {
  using cluster::optional_field;
  return f(caf::meta::type_name("LeaseLimits"), optional_field(x.max_budget), optional_field(x.rpm_limit),
           optional_field(x.tpm_limit), optional_field(x.max_parallel_requests), optional_field(x.reset_period_ms),
           optional_field(x.budget_reset_at), x.per_model);
}

// A RefusedBy off the end of the enum (a newer or broken peer) is refused, not cast into one.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, Refusal& x) {
  auto known_limit = [&x]() -> caf::error {
    if (x.limit < RefusedBy::max_parallel_requests || x.limit > RefusedBy::budget) return caf::sec::invalid_argument;
    return caf::none;
  };
  return f(caf::meta::type_name("Refusal"), x.limit, x.limit_value, x.retry_after, x.max_budget, x.spend, x.reserved,
           x.cost, caf::meta::load_callback(known_limit));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, LeaseRequest& x) {
  return f(caf::meta::type_name("LeaseRequest"), x.entity, x.node, x.limits, x.report_to, x.report_to_endpoint,
           x.report_seq, x.spent_usd, x.used_requests, x.used_tokens, x.keep, x.need, x.want, x.unflushed_usd);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, LeaseGrant& x) {
  return f(caf::meta::type_name("LeaseGrant"), x.owner, x.report_seq, x.held, x.ttl_ms,
           cluster::optional_field(x.refusal), x.not_owner, x.tight, x.contended, x.rebase);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, HandoverQuery& x) {
  return f(caf::meta::type_name("HandoverQuery"), x.entity, x.new_owner, x.new_owner_endpoint);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, HandoverAnswer& x) {
  return f(caf::meta::type_name("HandoverAnswer"), x.node, x.unflushed_usd, x.held, x.held_ttl_ms, x.recent_requests,
           x.recent_tokens);
}

}  // namespace tollgate::core
