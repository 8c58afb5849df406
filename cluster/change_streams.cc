#include "cluster/change_streams.h"

namespace tollgate::cluster {

Arrival ChangeStreams::arrive(std::uint64_t instance, std::uint64_t sequence) {
  if (instance == own_) return Arrival::own;
  const auto [it, first] = last_.emplace(instance, sequence);
  if (first) return Arrival::apply;  // a sender first heard from now: the subscription's flush covers its past
  const auto last = it->second;
  if (sequence <= last) return Arrival::apply;  // a repeat (a resent PUBLISH): dropping twice is harmless
  it->second = sequence;
  return sequence == last + 1 ? Arrival::apply : Arrival::gap;
}

}  // namespace tollgate::cluster
