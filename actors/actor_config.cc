#include "actors/actor_config.h"

#include <algorithm>

#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>

namespace tollgate::actors {

void ActorConfigDeleter::operator()(caf::actor_system_config* config) const { delete config; }

ActorConfig scheduler_config(int threads) {
  ActorConfig config(new caf::actor_system_config);
  config->set("scheduler.max-threads", std::max(threads, 1));
  // The work-stealing default lets idle workers sleep up to 10 ms before they notice new
  // work: at low load that is milliseconds added to a request. The sharing policy wakes a
  // worker through a condition variable at once.
  config->set("scheduler.policy", caf::atom("sharing"));
  return config;
}

}  // namespace tollgate::actors
