#include "tests/support/deterministic_actors.h"

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <mutex>
#include <vector>

namespace tollgate::testing {

// CAF's test coordinator keeps its jobs in a plain deque that only the running thread may
// touch. Every wake-up (from any thread) is queued here under a lock instead, and moved to the
// deque by the running thread.
class DeterministicActors::Coordinator : public caf::scheduler::test_coordinator {
 public:
  using test_coordinator::test_coordinator;

  // Moves the queued wake-ups to the jobs; false when there is nothing to run.
  bool take_queued() {
    std::lock_guard lock(mutex_);
    jobs.insert(jobs.end(), queued_.begin(), queued_.end());
    queued_.clear();
    return !jobs.empty();
  }

 protected:
  void enqueue(caf::resumable* job) override {
    std::lock_guard lock(mutex_);
    queued_.push_back(job);
  }
  // The actor system's end: what is still queued (exits) runs first.
  void stop() override {
    take_queued();
    test_coordinator::stop();
  }

 private:
  std::mutex mutex_;
  std::vector<caf::resumable*> queued_;
};

actors::ActorConfig DeterministicActors::config() {
  actors::ActorConfig config(new caf::actor_system_config);
  // A scheduler module given by the config replaces the one its policy would create: this way
  // the coordinator is known here without reaching into the actor system.
  config->module_factories.push_back([this](caf::actor_system& system) -> caf::actor_system::module* {
    coordinator_ = new Coordinator(system);
    return coordinator_;
  });
  config->set("scheduler.policy", caf::atom("testing"));
  return config;
}

std::size_t DeterministicActors::run(bool fire_timers) {
  if (fire_timers) coordinator_->trigger_timeouts();
  std::size_t ran = 0;
  while (coordinator_->take_queued()) ran += coordinator_->run();
  return ran;
}

}  // namespace tollgate::testing
