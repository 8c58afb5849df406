#include "mcp/pending_call.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "http/client.h"
#include "http/io_threads.h"

namespace tollgate::mcp {

struct PendingCall::Timer {
  explicit Timer(boost::asio::io_context& context) : ctx(context), timer(context) {}
  boost::asio::io_context& ctx;
  boost::asio::steady_timer timer;
};

PendingCall::PendingCall(UpstreamCall call, std::string upstream_id)
    : call_(std::move(call)), upstream_id_(std::move(upstream_id)) {}

PendingCall::~PendingCall() = default;

void PendingCall::arm_deadline(http::HttpClient& client, std::chrono::milliseconds timeout, const std::string& server) {
  auto& io = client.io();
  auto* here = io.current();
  auto timer = std::make_shared<Timer>(here ? *here : io.next());
  {
    std::lock_guard lock(mutex_);
    timer_ = timer;
  }
  std::weak_ptr<PendingCall> weak = shared_from_this();
  const std::string message =
      "MCP server '" + server + "' did not answer within " + std::to_string(timeout.count()) + " ms";
  boost::asio::post(timer->ctx, [timer, timeout, weak, message] {
    timer->timer.expires_after(timeout);
    timer->timer.async_wait([weak, message](const boost::system::error_code& ec) {
      if (ec) return;
      if (auto self = weak.lock()) self->fail_now(rpc::kRequestTimeout, message);
    });
  });
}

void PendingCall::set_outbound(std::shared_ptr<http::OutboundCall> outbound) {
  bool ended = false;
  {
    std::lock_guard lock(mutex_);
    ended = finished();
    if (!ended) outbound_ = outbound;
  }
  if (ended && outbound) outbound->cancel();  // answered (or timed out) before it was even sent
}

void PendingCall::notify(std::string notification) {
  if (finished() || !call_.on_notification) return;
  call_.on_notification(std::move(notification));
}

bool PendingCall::claim() { return !done_.exchange(true, std::memory_order_acq_rel); }

void PendingCall::stop_outbound_and_timer() {
  std::shared_ptr<http::OutboundCall> outbound;
  std::shared_ptr<Timer> timer;
  {
    std::lock_guard lock(mutex_);
    outbound = outbound_.lock();
    outbound_.reset();
    timer = std::move(timer_);
  }
  if (outbound) outbound->cancel();
  if (timer) {
    boost::asio::post(timer->ctx, [timer] { timer->timer.cancel(); });
  }
}

void PendingCall::finish(UpstreamReply reply) {
  if (!claim()) return;
  // An answer (or a failure of the exchange itself) leaves the HTTP exchange to end by itself:
  // an SSE answer's stream, which the server closes after the response, then returns its
  // connection to the pool. The deadline and cancel() cut it short instead.
  std::shared_ptr<Timer> timer;
  {
    std::lock_guard lock(mutex_);
    timer = std::move(timer_);
    outbound_.reset();
  }
  if (timer) boost::asio::post(timer->ctx, [timer] { timer->timer.cancel(); });
  if (call_.on_reply) call_.on_reply(std::move(reply));
}

void PendingCall::fail_now(int code, std::string message) {
  if (!claim()) return;
  stop_outbound_and_timer();
  if (call_.on_reply) call_.on_reply(UpstreamReply{{}, RpcError{code, std::move(message)}});
}

void PendingCall::cancel() {
  if (!claim()) return;
  stop_outbound_and_timer();
}

}  // namespace tollgate::mcp
