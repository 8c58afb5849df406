#pragma once
// Hands items from any thread to one of a PeerLink's actors: they wait here, under a mutex, and
// the actor is told (one `drain` message per batch) to take them. The mutex, not CAF's mailbox,
// orders the item's writer before its reader, which ThreadSanitizer can see (CAF 0.17 from
// Debian is not instrumented). Once closed (the link stopping) nothing more is posted: a
// message sent into a torn-down actor system would touch freed memory.
#include <caf/actor.hpp>
#include <caf/send.hpp>

#include <mutex>
#include <utility>
#include <vector>

#include "cluster/peer_messages.h"

namespace tollgate::cluster {

template <class T>
class PeerMailbox {
 public:
  using Item = T;

  void open(caf::actor actor) {
    std::lock_guard<std::mutex> lock(mutex_);
    actor_ = std::move(actor);
  }

  // The actor, now unreachable through the mailbox (nullptr when already closed).
  caf::actor close() {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::exchange(actor_, caf::actor{});
  }

  // False when closed: `item` was not taken.
  bool post(T& item) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!actor_) return false;
    items_.push_back(std::move(item));
    if (items_.size() == 1) caf::anon_send(actor_, drain_atom::value);
    return true;
  }

  // Everything posted so far (the actor, on `drain`; the link, after stopping, to drop them).
  std::vector<T> take() {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::exchange(items_, {});
  }

 private:
  std::mutex mutex_;
  caf::actor actor_;
  std::vector<T> items_;
};

}  // namespace tollgate::cluster
