#pragma once
// N single-threaded io_contexts, each run by its own thread. A connection (inbound or outbound)
// lives on one context for its whole life, so its state needs no locks.
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace tollgate::http {

class IoThreads {
 public:
  // `poll_for` > 0: each thread keeps polling for that long after handling work before it
  // sleeps in epoll (http/polling_loop.h; general_settings.event_loop_poll_us).
  explicit IoThreads(int count, std::chrono::microseconds poll_for = {});
  ~IoThreads();

  int size() const { return static_cast<int>(contexts_.size()); }
  boost::asio::io_context& context(int index);
  // Round-robin choice for a new connection; any thread.
  boost::asio::io_context& next();
  // The context run by the calling thread, or nullptr when it is not one of ours.
  boost::asio::io_context* current();
  // The calling thread's index (0 .. size()-1), or -1 when it is not one of ours.
  int current_index() const;

  void start();
  // Lets pending handlers run out and joins the threads.
  void stop();

 private:
  struct Guard;
  class Context;
  std::vector<std::unique_ptr<Context>> contexts_;
  std::vector<std::unique_ptr<Guard>> guards_;
  std::vector<std::thread> threads_;
  std::chrono::microseconds poll_for_;
  std::atomic<unsigned> next_{0};  // the acceptor and other threads pick concurrently
};

}  // namespace tollgate::http
