#pragma once
// How loaded an I/O thread's event loop is, and the share of new requests that thread refuses so
// that it keeps up (core/shed_share.h): a timer on the loop measures how late it fires (the
// handlers queued ahead of it; general_settings.max_event_loop_delay_ms; a request handled while
// that timer is overdue takes the sample before the timer's turn comes), and the thread's
// scheduler statistics how much of the time it is busy, running or waiting for a CPU
// (general_settings.max_event_loop_utilization). A request admitted into a loop that runs behind
// waits there, and so does every one after it; refusing a share early keeps the admitted ones
// close to their unloaded latency.
#include <memory>

#include "core/shed_share.h"

namespace boost::asio {
class io_context;
}

namespace tollgate::http {

class LoopLoadMonitor {
 public:
  // Starts sampling `loop` (callable from any thread) against `targets`.
  LoopLoadMonitor(boost::asio::io_context& loop, core::ShedShare::Targets targets);
  // Stops sampling: the sample in flight sees it and does not re-arm.
  ~LoopLoadMonitor();
  LoopLoadMonitor(const LoopLoadMonitor&) = delete;
  LoopLoadMonitor& operator=(const LoopLoadMonitor&) = delete;

 private:
  struct Sampler;
  std::shared_ptr<Sampler> sampler_;
};

// On an I/O thread: whether this request falls in the share its monitor refuses (a draw against
// the share; always false where no monitor runs).
bool loop_sheds_here();

}  // namespace tollgate::http
