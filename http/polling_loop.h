#pragma once
// Runs an I/O thread's event loop so that a request arriving just after a burst of work finds the
// thread awake: after handling work the loop keeps checking for more, without sleeping, for a
// short while before it blocks in epoll again. A thread woken from epoll_wait by an interrupt
// takes several µs on a VM (the inter-processor interrupt and the context switch), about half
// the cost of refusing a request under overload (bench/results/overload-2026-12-01-onset.md).
// The polling is bounded so that an idle gateway sleeps, and it is counted apart from real work
// (idle_polling_here) so that the event-loop utilization that sheds load does not read it as
// busy time.
#include <chrono>

namespace boost::asio {
class io_context;
}

namespace tollgate::http {

// Runs `loop` on the calling thread until it is stopped or out of work, as io_context::run()
// does; with `poll_for` > 0 it polls for that long after each handled piece of work before it
// blocks.
void run_polling(boost::asio::io_context& loop, std::chrono::microseconds poll_for);

// Wall time the calling thread has spent in run_polling checking for work and finding none
// (only grows).
std::chrono::nanoseconds idle_polling_here();

}  // namespace tollgate::http
