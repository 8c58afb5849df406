#pragma once
// The configuration of the actor system the budget owners run in, held without including CAF
// (Admission takes it; tests/support/deterministic_actors.h builds one for CAF's test
// coordinator).
#include <memory>

namespace caf {
class actor_system_config;
}

namespace tollgate::actors {

// Deletes the config where CAF's types are complete.
struct ActorConfigDeleter {
  void operator()(caf::actor_system_config* config) const;
};
using ActorConfig = std::unique_ptr<caf::actor_system_config, ActorConfigDeleter>;

// The gateway's: CAF's sharing scheduler with `threads` workers.
ActorConfig scheduler_config(int threads);

}  // namespace tollgate::actors
