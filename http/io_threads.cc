#include "http/io_threads.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace tollgate::http {

namespace net = boost::asio;

namespace {
thread_local const IoThreads* current_owner = nullptr;
thread_local net::io_context* current_context = nullptr;
thread_local int current_thread_index = -1;
}  // namespace

struct IoThreads::Guard {
  explicit Guard(net::io_context& ctx) : guard(net::make_work_guard(ctx)) {}
  net::executor_work_guard<net::io_context::executor_type> guard;
};

IoThreads::IoThreads(int count) {
  for (int i = 0; i < std::max(count, 1); ++i) {
    contexts_.push_back(std::make_unique<net::io_context>(1));  // hint: single-threaded
  }
}

IoThreads::~IoThreads() { stop(); }

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
      c->run();
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
