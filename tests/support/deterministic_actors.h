#pragma once
// CAF's deterministic test coordinator for actors under test: nothing runs until run(), and
// then every job runs on the calling thread, in the order it was queued. Actors may be woken
// from other threads too (a store thread answering a budget owner's spend load): those
// wake-ups wait, under a lock, until the next run() picks them up.
#include <cstddef>

#include "actors/actor_config.h"

namespace tollgate::testing {

class DeterministicActors {
 public:
  // The config to build the actor system from (Admission takes it): its scheduler is the
  // coordinator this object drives. Call once; this object must outlive the actor system.
  actors::ActorConfig config();
  // Runs every queued job (first firing the pending timers when asked) until none is left;
  // returns how many ran. Only while the actor system built from config() lives.
  std::size_t run(bool fire_timers = false);

  class Coordinator;

 private:
  Coordinator* coordinator_ = nullptr;  // owned by the actor system
};

}  // namespace tollgate::testing
