#include "proxy/call_end.h"

#include "http/client.h"
#include "proxy/attempt_outcome.h"

namespace tollgate::proxy {

CallEnd::CallEnd(http::ExchangePtr exchange, boost::asio::steady_timer& retry_timer,
                 std::function<void(const CallOutcome&)> on_finished)
    : exchange_(std::move(exchange)), retry_timer_(retry_timer), on_finished_(std::move(on_finished)) {}

void CallEnd::finish(bool success, int status, const RoutedDeployment& last, Charge charge) {
  if (done_) return;
  done_ = true;
  retry_timer_.cancel();
  if (!on_finished_) return;
  CallOutcome outcome;
  outcome.success = success;
  outcome.status = status;
  outcome.deployment = last.deployment;
  outcome.usage = charge.usage;
  outcome.usage_reported = charge.usage_reported;
  outcome.response_id = std::move(charge.response_id);
  outcome.client_gone = client_gone_;
  outcome.interrupted = interrupted_;
  outcome.cost = success || interrupted_ ? charge.cost : 0;
  outcome.priced = last.price != nullptr && last.price->has_value();
  auto callback = std::move(on_finished_);
  callback(outcome);
}

void CallEnd::fail(http::Response answer, const Route& route, const RoutedDeployment& last, Charge charge) {
  finish(false, answer.status, last, std::move(charge));
  append_routing_headers(answer.headers, route);
  exchange_->respond(std::move(answer));
}

void CallEnd::client_left(std::shared_ptr<http::OutboundCall>& call, const RoutedDeployment& attempt,
                          telemetry::ModelMetrics& metrics, Charge charge) {
  if (done_) return;
  cancel_attempt(call, attempt, metrics);
  client_gone_ = true;
  finish(false, 499, attempt, std::move(charge));
}

}  // namespace tollgate::proxy
