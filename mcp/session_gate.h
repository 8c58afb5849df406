#pragma once
// What the three transports share about their upstream session: calls that arrive before the
// session is ready wait for it (the first of them starts it), and calls sent on a shared
// channel (the legacy SSE stream, a subprocess's stdout) wait for their answer by id and for
// their progress by token. Each start of the session is an epoch: news about an older one
// (a stream that ended, an initialize that answered late) changes nothing.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "mcp/pending_call.h"

namespace tollgate::mcp {

class SessionGate {
 public:
  enum class Step {
    send,  // the session is ready: send the call now
    wait,  // queued; the session is starting
    start  // queued; the caller starts the session (epoch() names it)
  };
  Step admit(const std::shared_ptr<PendingCall>& call);
  std::uint64_t epoch() const;
  bool ready() const;

  // The session of `epoch` is ready: the calls that waited for it, to send now (none when
  // that epoch is over).
  std::vector<std::shared_ptr<PendingCall>> open(std::uint64_t epoch);
  // The session of `epoch` is over (any epoch when `epoch` is 0): the calls that waited, to
  // fail. The next admit() starts another.
  std::vector<std::shared_ptr<PendingCall>> close(std::uint64_t epoch = 0);

 private:
  enum class State { fresh, starting, ready };
  mutable std::mutex mutex_;
  State state_ = State::fresh;
  std::uint64_t epoch_ = 0;
  std::vector<std::shared_ptr<PendingCall>> waiting_;
};

// Calls sent and not yet answered, by upstream id.
class InFlight {
 public:
  void add(const std::shared_ptr<PendingCall>& call);
  // The call answered by `id`, removed (nullptr when none waits).
  std::shared_ptr<PendingCall> take(const std::string& id);
  std::shared_ptr<PendingCall> by_progress_token(const std::string& token) const;
  // Every call, removed (the channel is gone).
  std::vector<std::shared_ptr<PendingCall>> drain();

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<PendingCall>> calls_;
};

}  // namespace tollgate::mcp
