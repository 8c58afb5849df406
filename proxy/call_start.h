#pragma once
// How an upstream call (chat in proxy/proxy_call.cc, media in api/media_call.cc) starts: on the
// exchange's executor — so the client's hang-up, the upstream's callbacks (the outbound call
// runs on the calling I/O thread) and the retry timer never race — with the I/O context of
// that thread; it keeps itself alive until the client has its answer.
#include <boost/asio/io_context.hpp>

#include <memory>
#include <utility>

#include "http/client.h"
#include "http/exchange.h"
#include "http/io_threads.h"
#include "proxy/proxy_call.h"
#include "telemetry/log.h"

namespace tollgate::proxy {

// Constructs Call(client, exchange, request, io_context) and starts it. Off the gateway's I/O
// threads (a bug) the client gets a 500 and `request.on_finished` a failed outcome, logged as
// `off_io_thread_event`.
template <class Call, class Request>
void start_call_on_executor(http::HttpClient& client, http::ExchangePtr exchange, Request request,
                            const char* off_io_thread_event) {
  auto start = [client = &client, off_io_thread_event](http::ExchangePtr exchange, Request request) {
    boost::asio::io_context* ctx = client->io().current();
    if (ctx == nullptr) {
      telemetry::log_error(off_io_thread_event, {{"request_id", exchange->request_id()}});
      http::respond_error(exchange, core::internal_error("Internal error"));
      CallOutcome outcome;
      outcome.status = 500;
      if (request.on_finished) request.on_finished(outcome);
      return;
    }
    std::make_shared<Call>(*client, std::move(exchange), std::move(request), *ctx)->start();
  };
  auto bound = http::bind_executor(exchange, std::move(start));
  bound(std::move(exchange), std::move(request));
}

// Has `(call.*client_left)()` run when the client hangs up, for as long as the call lives (the
// exchange holds no reference to it).
template <class Call>
void call_client_left_on_hang_up(http::Exchange& exchange, const std::shared_ptr<Call>& call,
                                 void (Call::*client_left)()) {
  std::weak_ptr<Call> weak = call;
  exchange.on_client_gone([weak, client_left] {
    if (auto self = weak.lock()) (self.get()->*client_left)();
  });
}

}  // namespace tollgate::proxy
