#include "api/media_call.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>

#include "core/number_text.h"
#include "core/retry_policy.h"
#include "core/url_split.h"
#include "http/client.h"
#include "http/io_threads.h"
#include "providers/response_relay.h"
#include "providers/upstream_request.h"
#include "proxy/attempt_outcome.h"
#include "proxy/call_end.h"
#include "proxy/call_start.h"
#include "proxy/model_router.h"
#include "telemetry/log.h"
#include "telemetry/model_metrics.h"

namespace tollgate::api {
namespace {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;
using core::FailureClass;

// Generated audio and images are larger than chat answers; the request bound stays the edge's.
constexpr std::size_t kMaxAnswerBody = 64 * 1024 * 1024;
constexpr std::size_t kMaxErrorBody = 64 * 1024;
constexpr std::chrono::milliseconds kDefaultTimeout{600'000};

class MediaCall : public http::ResponseSink, public std::enable_shared_from_this<MediaCall> {
 public:
  MediaCall(http::HttpClient& client, http::ExchangePtr exchange, MediaRequest request, net::io_context& ctx)
      : client_(client),
        router_(*request.models->router),
        metrics_(*request.models->metrics),
        exchange_(std::move(exchange)),
        req_(std::move(request)),
        timer_(ctx),
        end_(exchange_, timer_, std::move(req_.on_finished)),
        route_(req_.group) {}

  void start() {
    proxy::call_client_left_on_hang_up(*exchange_, shared_from_this(), &MediaCall::client_left);
    attempt();
  }

  void on_head(int status, const http::Headers& headers) override {
    status_ = status;
    content_type_ = std::string(http::header_value(headers, "content-type").value_or("application/json"));
    retry_after_ = proxy::retry_after_of(headers);
    if (status >= 200 && status < 300 && req_.kind == core::MediaKind::speech) start_relay();
  }

  void on_data(std::string_view bytes) override {
    if (relaying_) {
      exchange_->send_chunk(std::string(bytes));
      return;
    }
    const bool ok = status_ >= 200 && status_ < 300;
    if (body_.size() + bytes.size() > (ok ? kMaxAnswerBody : kMaxErrorBody)) {
      if (ok) answer_too_large();  // an error body's start is enough to classify it
      return;
    }
    body_.append(bytes);
  }

  void on_complete() override {
    call_.reset();
    if (relaying_) {
      record_success();
      finish(true, 200);  // settled before the stream's end reaches the client (proxy/call_end.h)
      exchange_->finish_stream();
      return;
    }
    if (status_ >= 200 && status_ < 300) {
      answer();
      return;
    }
    attempt_failed(core::classify_status(status_, body_), status_, providers::upstream_error_message(body_));
  }

  void on_error(http::ClientErrorKind kind, const std::string& message) override {
    call_.reset();
    if (kind == http::ClientErrorKind::overloaded) {  // our own bound: no retry, no cooldown
      fail(core::gateway_overloaded("The gateway is overloaded: " + message + ". Retry shortly."));
      return;
    }
    const auto failure = kind == http::ClientErrorKind::timeout ? FailureClass::timeout : FailureClass::connection;
    if (relaying_) {  // audio already reached the client: no retry; its response is left incomplete
      record_failure(failure);
      end_.mark_interrupted();
      finish(false, 502);
      exchange_->abort_stream();
      return;
    }
    attempt_failed(failure, 0, message);
  }

 private:
  void attempt() {
    if (end_.done()) return;
    bool all_cooling = false;
    auto chosen = proxy::choose_for_attempt(router_, route_, all_cooling);
    if (!chosen) {
      fail(proxy::all_deployments_cooling(router_, *route_.group));
      return;
    }
    current_ = *chosen;
    ++route_.attempts_in_group;
    const auto& d = *current_.deployment;
    if (!serves_media(d) || current_.url == nullptr) {
      fail(core::bad_request("Model group '" + route_.group->name + "' deployment '" + d.info.id + "' (" +
                                 d.provider_prefix + "/) does not serve " + req_.path +
                                 ": only OpenAI-wire deployments do",
                             "model"));
      return;
    }
    http::OutboundRequest out;
    out.target = core::base_path(d.api_base) + req_.path;
    out.headers.push_back({"content-type", req_.content_type});
    if (!d.api_key.empty()) out.headers.push_back({"authorization", "Bearer " + d.api_key});
    out.body = req_.body_for(d.upstream_model);
    const auto timeout = d.timeout ? *d.timeout : router_.settings().timeout.value_or(kDefaultTimeout);
    out.first_byte_timeout = timeout;
    out.idle_timeout = timeout;
    status_ = 0;
    body_.clear();
    retry_after_.reset();
    attempt_start_ = Clock::now();
    current_.health->attempt_started(attempt_start_);
    metrics_.attempt_started(current_.index);
    call_ = client_.send(*current_.url, std::move(out), shared_from_this());
  }

  void attempt_failed(FailureClass failure, int status, std::string message) {
    record_failure(failure);
    if (proxy::retry_in_group(router_, metrics_, failure, current_.index, route_)) {
      timer_.expires_after(core::retry_backoff(route_.attempts_in_group, retry_after_));
      timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec) self->attempt();
      });
      return;
    }
    if (proxy::fall_back(router_, metrics_, failure, route_)) {  // as chat calls do
      attempt();
      return;
    }
    give_up(failure, status, std::move(message));
  }

  void record_failure(FailureClass failure) {
    proxy::note_failed_attempt(router_, metrics_, current_, *route_.group, failure, attempt_start_,
                               exchange_->request_id());
  }

  // As chat's (proxy/proxy_call.cc): a timeout is 504, a missing model 404, and so on.
  void give_up(FailureClass failure, int status, const std::string& message) {
    fail(proxy::gave_up_error(*route_.group, failure, status, message, retry_after_));
  }

  void answer() {
    record_success();
    charge_ = charged_for(body_);
    http::Response response;
    response.status = 200;
    response.content_type = content_type_;
    response.body = std::move(body_);
    response.headers = success_headers();
    finish(true, 200);  // settled before the answer reaches the client (proxy/call_end.h)
    exchange_->respond(std::move(response));
  }

  // A successful answer past kMaxAnswerBody: nothing more is read (an upstream sending without
  // end would otherwise hold the call until its idle timeout), and the client gets a 502 at once
  // — not retried: the upstream has answered, and may have charged for it, so the call is
  // charged what the request says it costs (as for an answer without usage), never nothing.
  void answer_too_large() {
    call_->cancel();  // the sink hears nothing more from it
    call_.reset();
    body_.clear();
    record_failure(FailureClass::server_error);
    charge_ = charged_for({});
    end_.mark_interrupted();
    fail(core::bad_gateway("The upstream response is larger than the gateway accepts"));
  }

  // Speech: the audio is relayed as it arrives (its price is known from the request).
  void start_relay() {
    relaying_ = true;
    charge_ = charged_for({});
    exchange_->start_stream(200, success_headers(), content_type_);
  }

  core::MediaCharge charged_for(std::string_view answer) const {
    if (current_.price == nullptr || !*current_.price) return {};
    return core::media_charge(req_.facts, **current_.price, req_.max_output_tokens, answer);
  }

  void record_success(Clock::time_point now = Clock::now()) {
    metrics_.attempt_finished(current_.index, true, std::chrono::duration<double>(now - attempt_start_).count());
    current_.health->attempt_succeeded(std::chrono::duration_cast<std::chrono::microseconds>(now - attempt_start_), 0,
                                       now);
  }

  http::Headers success_headers() const {
    http::Headers headers = req_.extra_headers;
    headers.push_back({"x-litellm-model-id", current_.deployment->info.id});
    proxy::append_routing_headers(headers, route_);
    headers.push_back({"x-litellm-response-cost", core::general_text(charge_.cost, 10)});
    return headers;
  }

  void fail(const core::ApiError& error) { end_.fail(http::error_response(error), route_, current_, charge()); }

  // Nothing is charged when no answer was delivered (the reservation is released); speech audio
  // already relayed is charged, like an interrupted chat stream (the provider charges the whole
  // input).
  void client_left() {
    if (end_.done()) return;
    if (relaying_) end_.mark_interrupted();
    end_.client_left(call_, current_, metrics_, charge());
  }

  void finish(bool success, int status) { end_.finish(success, status, current_, charge()); }

  // What the call is charged (its cost only when it succeeded or was interrupted: call_end.h).
  proxy::Charge charge() const { return {charge_.usage, charge_.usage.total() > 0, charge_.cost, {}}; }

  http::HttpClient& client_;
  proxy::ModelRouter& router_;
  telemetry::ModelMetrics& metrics_;
  http::ExchangePtr exchange_;
  MediaRequest req_;
  net::steady_timer timer_;
  proxy::CallEnd end_;
  proxy::RoutedDeployment current_;
  std::shared_ptr<http::OutboundCall> call_;
  proxy::Route route_;  // req_.group or a fallback, and the retries and fallbacks taken
  Clock::time_point attempt_start_;
  int status_ = 0;
  std::string content_type_;
  std::string body_;
  std::optional<double> retry_after_;
  core::MediaCharge charge_;  // of the answer: its cost, and the tokens a token-priced one reported
  bool relaying_ = false;     // speech audio relayed as it arrives
};

}  // namespace

bool serves_media(const config::Deployment& deployment) { return deployment.provider == core::ProviderKind::openai; }

void start_media_call(http::HttpClient& client, http::ExchangePtr exchange, MediaRequest request) {
  proxy::start_call_on_executor<MediaCall>(client, std::move(exchange), std::move(request), "media_call_off_io_thread");
}

}  // namespace tollgate::api
