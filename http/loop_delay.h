#pragma once
// How long work waits in an I/O thread's event loop before it runs: a timer on that loop
// measures how late it fires (the handlers queued ahead of it), and CoDel's standing-queue test
// (core/standing_queue.h) over those samples decides whether the loop is overloaded. While it
// is, the sessions of that thread shed new requests (general_settings.max_event_loop_delay_ms):
// a request admitted into a standing queue would wait in it, and so would every one after it.
#include <chrono>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace tollgate::http {

class LoopDelayMonitor {
 public:
  // Starts sampling `loop` (callable from any thread) against `target`.
  LoopDelayMonitor(boost::asio::io_context& loop, std::chrono::milliseconds target);
  // Stops sampling: the sample in flight sees it and does not re-arm.
  ~LoopDelayMonitor();
  LoopDelayMonitor(const LoopDelayMonitor&) = delete;
  LoopDelayMonitor& operator=(const LoopDelayMonitor&) = delete;

 private:
  struct Sampler;
  std::shared_ptr<Sampler> sampler_;
};

// On an I/O thread: whether a monitor found that thread's loop overloaded (false where none runs).
bool loop_overloaded_here();

}  // namespace tollgate::http
