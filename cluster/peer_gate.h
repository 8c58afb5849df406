#pragma once
// The way into one of a PeerLink's actors from any thread: anon_send while the link runs,
// refused once it has stopped (a message sent to a torn-down actor system would touch freed
// memory). Shared by everything that may outlive the link (a service's pending reply).
#include <caf/actor.hpp>
#include <caf/send.hpp>

#include <mutex>
#include <utility>

namespace tollgate::cluster {

class PeerGate {
 public:
  void open(caf::actor actor) {
    std::lock_guard<std::mutex> lock(mutex_);
    actor_ = std::move(actor);
  }

  // The actor, now unreachable through the gate (nullptr when already closed).
  caf::actor close() {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::exchange(actor_, caf::actor{});
  }

  // False when the gate is closed (nothing was sent).
  template <class... Ts>
  bool send(Ts&&... xs) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!actor_) return false;
    caf::anon_send(actor_, std::forward<Ts>(xs)...);
    return true;
  }

 private:
  std::mutex mutex_;
  caf::actor actor_;
};

}  // namespace tollgate::cluster
