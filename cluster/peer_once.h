#pragma once
// A callback that runs exactly once: when called, or — if every copy is dropped uncalled (a
// request lost when its actor stopped, a service that forgot to reply) — with a fallback
// value, on the thread that drops the last copy. Copies share one state, so it can ride in
// CAF messages and lambdas that are copied.
#include <atomic>
#include <functional>
#include <memory>
#include <utility>

namespace tollgate::cluster {

template <class Arg>
class Once {
 public:
  Once(std::function<void(Arg)> callback, std::function<Arg()> if_dropped)
      : state_(std::make_shared<State>(std::move(callback), std::move(if_dropped))) {}

  // Later calls (and the fallback after a call) do nothing.
  void operator()(Arg value) const {
    if (!state_->called.exchange(true)) state_->callback(std::move(value));
  }

 private:
  struct State {
    State(std::function<void(Arg)> callback, std::function<Arg()> if_dropped)
        : callback(std::move(callback)), if_dropped(std::move(if_dropped)) {}
    ~State() {
      if (!called.exchange(true)) callback(if_dropped());
    }
    State(const State&) = delete;
    State& operator=(const State&) = delete;

    std::function<void(Arg)> callback;
    std::function<Arg()> if_dropped;
    std::atomic<bool> called{false};
  };
  std::shared_ptr<State> state_;
};

}  // namespace tollgate::cluster
