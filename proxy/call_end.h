#pragma once
// How an upstream call ends, chat (proxy/proxy_call.cc) and media (api/media_call.cc) alike:
// once, with its retry timer stopped, and settled before the client has its answer — the
// outcome goes to the handler's on_finished (which releases or settles the reservation, writes
// the spend row, the log line and the metrics: api/inference_accounting.h) first, so a client
// that has read its answer sees its spend and its freed reservation on its very next request,
// as /metrics counts a request once written. What differs between the calls (what is charged,
// the error body's shape) each call hands in.
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <string>

#include "core/usage.h"
#include "http/exchange.h"
#include "http/response.h"
#include "proxy/attempt_outcome.h"
#include "proxy/model_router.h"
#include "proxy/proxy_call.h"

namespace tollgate::http {
class OutboundCall;
}

namespace tollgate::telemetry {
class ModelMetrics;
}

namespace tollgate::proxy {

// What a call is charged when it ends: `cost` only when it succeeded or was interrupted
// (CallEnd::mark_interrupted); the usage is reported either way.
struct Charge {
  core::Usage usage;
  bool usage_reported = false;  // from the provider, not estimated
  double cost = 0;              // at the deployment's price (0 when unknown)
  std::string response_id;      // of the client's answer; "" when none
};

class CallEnd {
 public:
  CallEnd(http::ExchangePtr exchange, boost::asio::steady_timer& retry_timer,
          std::function<void(const CallOutcome&)> on_finished);

  bool done() const { return done_; }

  // The provider answered but the call will not succeed (a stream or relayed audio cut short,
  // an answer the gateway cannot read): it is charged like a success all the same, so ending
  // early does not make the provider's work free.
  void mark_interrupted() { interrupted_ = true; }

  // Ends the call as `status`, after `last` (the deployment that answered, or was last tried).
  // Once: later calls do nothing.
  void finish(bool success, int status, const RoutedDeployment& last, Charge charge);

  // Ends the call as a failure and answers the client with `answer` (an error response), with
  // the routing headers of `route`, settled first.
  void fail(http::Response answer, const Route& route, const RoutedDeployment& last, Charge charge);

  // The client hung up: the attempt in progress (`call` to `attempt`) is cancelled, and the
  // call ends as 499 — counted as cancelled, not failed: not the deployment's fault, so no
  // failure, cooldown or error metric. Nothing when the call has already ended.
  void client_left(std::shared_ptr<http::OutboundCall>& call, const RoutedDeployment& attempt,
                   telemetry::ModelMetrics& metrics, Charge charge);

 private:
  http::ExchangePtr exchange_;
  boost::asio::steady_timer& retry_timer_;
  std::function<void(const CallOutcome&)> on_finished_;  // called once, by finish()
  bool interrupted_ = false;
  bool client_gone_ = false;
  bool done_ = false;
};

}  // namespace tollgate::proxy
