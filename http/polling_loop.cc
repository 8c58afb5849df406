#include "http/polling_loop.h"

#include <boost/asio/io_context.hpp>

namespace tollgate::http {

namespace {
using Clock = std::chrono::steady_clock;
thread_local std::chrono::nanoseconds idle_polling{0};
}  // namespace

void run_polling(boost::asio::io_context& loop, std::chrono::microseconds poll_for) {
  if (poll_for.count() <= 0) {
    loop.run();
    return;
  }
  auto last_work = Clock::now();
  while (!loop.stopped()) {
    const auto before = Clock::now();
    if (loop.poll() > 0) {
      last_work = Clock::now();
      continue;
    }
    const auto after = Clock::now();
    if (after - last_work < poll_for) {
      idle_polling += after - before;
      continue;
    }
    if (loop.run_one() == 0) return;  // stopped, or out of work
    last_work = Clock::now();
  }
}

std::chrono::nanoseconds idle_polling_here() { return idle_polling; }

}  // namespace tollgate::http
