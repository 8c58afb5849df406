#pragma once
// One call waiting for its upstream answer, shared by the transports: it delivers the reply
// exactly once (the answer, a transport failure, or the deadline — whichever comes first),
// forwards notifications until then, and cancels the HTTP exchange it rode on when it ends
// early.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "mcp/upstream.h"

namespace boost::asio {
class io_context;
}
namespace tollgate::http {
class OutboundCall;
class HttpClient;
}  // namespace tollgate::http

namespace tollgate::mcp {

class PendingCall : public CallHandle, public std::enable_shared_from_this<PendingCall> {
 public:
  PendingCall(UpstreamCall call, std::string upstream_id);
  ~PendingCall() override;

  const std::string& upstream_id() const { return upstream_id_; }  // raw JSON
  const UpstreamCall& call() const { return call_; }
  // The request as sent upstream.
  std::string request_json() const { return request_message(upstream_id_, call_.method, call_.params); }

  // Fails the call with kRequestTimeout after `timeout` unless answered before. Timer on an
  // I/O thread of `client` (the calling one when it is one).
  void arm_deadline(http::HttpClient& client, std::chrono::milliseconds timeout, const std::string& server);
  // The HTTP exchange carrying the answer: cancelled when the call ends before it does.
  void set_outbound(std::shared_ptr<http::OutboundCall> outbound);

  void notify(std::string notification);
  // The answer, or a failure of its exchange: the exchange is left to end by itself.
  void finish(UpstreamReply reply);
  // Ends the call now (the deadline, a body too large): the exchange is dropped.
  void fail_now(int code, std::string message);
  void fail(int code, std::string message) { finish(UpstreamReply{{}, RpcError{code, std::move(message)}}); }
  bool finished() const { return done_.load(std::memory_order_acquire); }
  void cancel() override;

 private:
  bool claim();  // true for the one caller that ends the call
  void stop_outbound_and_timer();

  UpstreamCall call_;
  std::string upstream_id_;
  std::atomic<bool> done_{false};
  std::mutex mutex_;  // outbound_ and timer_: set and stopped from different threads
  // Weak: the exchange holds its sink, which holds this call, so owning the exchange here made
  // a cycle that outlived a gateway stopped while the call was in flight (LeakSanitizer). The
  // exchange keeps itself alive while it runs; one that is gone needs no cancelling.
  std::weak_ptr<http::OutboundCall> outbound_;
  struct Timer;
  std::shared_ptr<Timer> timer_;
};

}  // namespace tollgate::mcp
