#include "http/io_threads.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <string>

#include <pthread.h>

#include "http/polling_loop.h"

namespace tollgate::http {

namespace net = boost::asio;

namespace {
thread_local const IoThreads* current_owner = nullptr;
thread_local net::io_context* current_context = nullptr;
thread_local int current_thread_index = -1;
}  // namespace

// An io_context whose pending handlers can be destroyed before any context is: a handler left
// on one context at shutdown may own objects of another (an HTTP call holding an MCP request's
// timer), and destroying those after their own context is gone was a heap-use-after-free
// (ASan and TSan, the integration suite's shutdowns).
class IoThreads::Context : public net::io_context {
 public:
  using net::io_context::io_context;
  void destroy_pending_handlers() { shutdown(); }
};

struct IoThreads::Guard {
  explicit Guard(net::io_context& ctx) : guard(net::make_work_guard(ctx)) {}
  net::executor_work_guard<net::io_context::executor_type> guard;
};

IoThreads::IoThreads(int count, std::chrono::microseconds poll_for) : poll_for_(poll_for) {
  for (int i = 0; i < std::max(count, 1); ++i) {
    contexts_.push_back(std::make_unique<Context>(1));  // hint: single-threaded
  }
}

IoThreads::~IoThreads() {
  stop();
  // Every context's handlers go while all the contexts (and their services) still exist; the
  // contexts' own destructors then find nothing left to destroy.
  for (auto& ctx : contexts_) ctx->destroy_pending_handlers();
}

net::io_context& IoThreads::context(int index) { return *contexts_[static_cast<std::size_t>(index)]; }

net::io_context& IoThreads::next() {
  return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
}

net::io_context* IoThreads::current() { return current_owner == this ? current_context : nullptr; }

int IoThreads::current_index() const { return current_owner == this ? current_thread_index : -1; }

void IoThreads::start() {
  for (std::size_t i = 0; i < contexts_.size(); ++i) {
    guards_.push_back(std::make_unique<Guard>(*contexts_[i]));
    threads_.emplace_back([this, c = contexts_[i].get(), index = static_cast<int>(i)] {
      current_owner = this;
      current_context = c;
      current_thread_index = index;
      // Named so that top -H, perf and bench/overload (which gives the I/O threads their own
      // priority) can tell them from the store, spend and actor threads.
      pthread_setname_np(pthread_self(), ("tg-io-" + std::to_string(index)).substr(0, 15).c_str());
      run_polling(*c, poll_for_);
    });
  }
}

void IoThreads::stop() {
  guards_.clear();
  for (auto& ctx : contexts_) {
    ctx->stop();
  }
  for (auto& thread : threads_) {
    if (thread.joinable()) {
      thread.join();
    }
  }
  threads_.clear();
}

}  // namespace tollgate::http
