#include "proxy/proxy_call.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>

#include "core/cut_stream_output.h"
#include "core/number_text.h"
#include "core/response_id.h"
#include "core/retry_policy.h"
#include "core/token_estimate.h"
#include "http/client.h"
#include "http/io_threads.h"
#include "providers/anthropic_error.h"
#include "providers/json_util.h"
#include "providers/openai_request.h"
#include "providers/registry.h"
#include "providers/responses_chat_request.h"
#include "providers/responses_from_chat.h"
#include "providers/vertex/token_source.h"
#include "proxy/attempt_outcome.h"
#include "proxy/call_end.h"
#include "proxy/call_start.h"
#include "proxy/mock_answer.h"
#include "proxy/model_router.h"
#include "proxy/model_snapshot.h"
#include "proxy/wildcard_deployment.h"
#include "telemetry/log.h"
#include "telemetry/model_metrics.h"

namespace tollgate::proxy {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;
using core::FailureClass;

namespace {

constexpr std::size_t kMaxBufferedBody = 64 * 1024 * 1024;
constexpr std::size_t kMaxErrorBody = 64 * 1024;
constexpr std::chrono::milliseconds kDefaultTimeout{600'000};

std::int64_t unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

double milliseconds(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::string format_ms(double ms) { return core::fixed_text(ms, 3); }

class ProxyCall : public http::ResponseSink, public std::enable_shared_from_this<ProxyCall> {
 public:
  ProxyCall(http::HttpClient& client, http::ExchangePtr exchange, ProxyRequest request, net::io_context& ctx)
      : s_{request.models->router.get(), &client, request.models->metrics.get()},
        exchange_(std::move(exchange)),
        req_(std::move(request)),
        ctx_(ctx),
        timer_(ctx),
        end_(exchange_, timer_, std::move(req_.on_finished)),
        route_(req_.group) {}

  void start() {
    call_client_left_on_hang_up(*exchange_, shared_from_this(), &ProxyCall::client_left);
    attempt();
  }

  // --- ResponseSink: the upstream's answer to the current attempt

  void on_head(int status, const http::Headers& headers) override {
    status_ = status;
    if (status >= 200 && status < 300) {
      if (upstream_.stream) {
        providers::StreamOptions options;
        options.model_group = route_.requested->name;
        options.client_wants_usage = translating_ || providers::wants_stream_usage(*req_.body);
        options.created = unix_seconds();
        // The Anthropic stream's message_start carries input tokens before the provider reports
        // them (older SDKs keep that first number), so give the best estimate we have.
        options.input_tokens_estimate = req_.prompt_tokens_estimate;
        options.completion_tokens_bound = req_.completion_tokens_bound;
        options.web_searches_bound = req_.web_searches_bound;
        options.prompt_tokens_bound = req_.prompt_tokens_bound;
        relay_ = provider_->stream_relay(provider_api(), upstream_.api, std::move(options));
        if (translating_) relay_ = providers::responses_relay_over_chat(std::move(relay_));
        decoder_ = provider_->stream_decoder();
      }
    } else {
      retry_after_ = retry_after_of(headers);
    }
  }

  void on_data(std::string_view bytes) override {
    if (relay_) {
      relay_events(bytes);
      if (!decoder_->broken().empty()) {
        upstream_time_ += Clock::now() - attempt_start_;
        stream_broken();
      }
      return;
    }
    const std::size_t limit = status_ >= 400 ? kMaxErrorBody : kMaxBufferedBody;
    if (body_.size() + bytes.size() > limit) {
      if (status_ >= 400) return;  // enough of an error body to classify it
      body_too_large();
      return;
    }
    body_.append(bytes);
  }

  void on_complete() override {
    call_.reset();
    const auto now = Clock::now();
    upstream_time_ += now - attempt_start_;
    if (status_ >= 200 && status_ < 300) {
      if (relay_) {
        finish_stream(now);
      } else {
        finish_whole(now);
      }
      return;
    }
    const auto failure = core::classify_status(status_, body_);
    attempt_failed(failure, status_, provider_->error_message(body_));
  }

  // A buffered answer past kMaxBufferedBody: nothing more is read (an upstream sending without
  // end would otherwise hold the call until its idle timeout), and the client gets a 502 at once
  // — not retried, the upstream has already answered (and may have charged).
  void body_too_large() {
    upstream_time_ += Clock::now() - attempt_start_;
    call_->cancel();  // the sink hears nothing more from it
    call_.reset();
    body_.clear();
    record_attempt(false, FailureClass::server_error);
    if (status_ >= 200 && status_ < 300) charge_unreadable_answer();
    fail(core::bad_gateway("The upstream response is larger than the gateway accepts"));
  }

  // A successful answer the gateway cannot read (too large, malformed): the provider answered
  // and may have charged for it, and its usage is unknown, so the call is charged its worst case
  // — what was reserved for it — never nothing.
  void charge_unreadable_answer() {
    usage_ = core::Usage{};
    usage_.prompt_tokens = req_.prompt_tokens_bound;
    usage_.completion_tokens = req_.completion_tokens_bound;
    usage_.web_search_requests = req_.web_searches_bound;
    usage_reported_ = false;
    end_.mark_interrupted();
  }

  // The stream's framing is corrupt (a checksum mismatch, a message cut off): nothing after it
  // can be trusted, so the attempt ends as if the connection had failed, as a server error.
  // The attempt's time is already counted in upstream_time_.
  void stream_broken() {
    if (call_) {
      call_->cancel();  // the sink hears nothing more from it
      call_.reset();
    }
    const std::string message = "The upstream stream is corrupt: " + std::string(decoder_->broken());
    if (stream_started_) {
      record_attempt(false, FailureClass::server_error);
      exchange_->send_chunk(relay_->error_tail(message));
      charge_interrupted_stream();
      finish(false, 502);
      exchange_->finish_stream();
      return;
    }
    attempt_failed(FailureClass::server_error, 0, message);
  }

  void on_error(http::ClientErrorKind kind, const std::string& message) override {
    call_.reset();
    upstream_time_ += Clock::now() - attempt_start_;
    if (stream_started_) {
      // Bytes already reached the client: no retry; end its stream with an error event.
      record_attempt(false, FailureClass::connection);
      exchange_->send_chunk(relay_->error_tail("The upstream connection failed mid-stream: " + message));
      charge_interrupted_stream();
      finish(false, 502);
      exchange_->finish_stream();
      return;
    }
    if (kind == http::ClientErrorKind::overloaded) {
      // Our own bound, not the deployment's failure: no retry, no cooldown.
      fail(core::gateway_overloaded("The gateway is overloaded: " + message + ". Retry shortly."));
      return;
    }
    const auto failure = kind == http::ClientErrorKind::timeout ? FailureClass::timeout : FailureClass::connection;
    status_ = 0;
    attempt_failed(failure, 0, message);
  }

 private:
  // --- attempts

  void attempt() {
    if (end_.done()) return;
    bool all_cooling = false;
    auto chosen = choose_deployment(all_cooling);
    if (!chosen) {
      if (move_to_fallback(FailureClass::rate_limited)) {
        attempt();
        return;
      }
      fail(all_deployments_cooling(*s_.router, *route_.group));
      return;
    }
    current_ = *chosen;
    use_concrete_model();
    ++route_.attempts_in_group;
    provider_ = &providers::provider_of(*current_.deployment);
    if (auto ready = prepare_translation(); !ready) {
      fail(ready.error());
      return;
    }
    if (provider_->answers_in_process()) {
      answer_mock();
      return;
    }
    auto built = provider_->build_request(*current_.deployment, provider_api(), provider_body(),
                                          translating_ ? std::string_view(chat_raw_) : exchange_->body(),
                                          std::chrono::system_clock::now());
    if (!built) {
      fail(built.error());
      return;
    }
    upstream_ = std::move(built).value();
    if (current_.url == nullptr) {
      fail(core::internal_error("Deployment has an invalid api_base"));
      return;
    }
    if (const auto& tokens = req_.models->access_tokens[current_.index]) {
      send_with_access_token(*tokens);
      return;
    }
    send_upstream();
  }

  // A wildcard deployment serves the model the request named (proxy/wildcard_deployment.h),
  // at that model's price. Health, metrics and cooldowns stay the configured deployment's.
  void use_concrete_model() {
    if (req_.wildcard_capture.empty() || !is_wildcard_deployment(*current_.deployment)) return;
    concrete_ = concrete_deployment(*current_.deployment, req_.wildcard_capture);
    concrete_price_ = ModelRouter::price_of(*concrete_);
    current_.deployment = &*concrete_;
    current_.price = &concrete_price_;
  }

  // Vertex AI: the deployment's OAuth2 access token is the credential. When none is ready the
  // call waits without a thread and resumes on its own executor (providers/vertex/token_source.h).
  void send_with_access_token(providers::vertex::AccessTokenSource& tokens) {
    token_wait_start_ = Clock::now();
    auto token = tokens.token_or_wait(
        *s_.client, ctx_.get_executor(),
        [self = shared_from_this()](core::Result<std::string> token) { self->access_token_ready(std::move(token)); },
        unix_seconds());
    if (token) access_token_ready(std::move(*token));
  }

  void access_token_ready(core::Result<std::string> token) {
    if (end_.done()) return;                             // the client left while the token was on its way
    upstream_time_ += Clock::now() - token_wait_start_;  // fetching the credential is upstream time
    if (!token) {
      attempt_started();
      attempt_failed(FailureClass::connection, 0, token.error().message);
      return;
    }
    upstream_.headers.emplace_back("authorization", "Bearer " + std::move(token).value());
    send_upstream();
  }

  void attempt_started() {
    attempt_start_ = Clock::now();
    current_.health->attempt_started(attempt_start_);
    s_.metrics->attempt_started(current_.index);
  }

  // /v1/responses on a provider that speaks chat only: the request goes out as chat (translated
  // once, on the first such attempt) and the answer comes back as the Responses API's.
  core::Status prepare_translation() {
    translating_ = req_.api == providers::Api::openai_responses && !provider_->speaks_responses_api();
    if (!translating_ || chat_body_) return {};
    auto chat = providers::chat_request_from_responses(*req_.body);
    if (!chat) return chat.error();
    chat_body_ = std::make_shared<rapidjson::Document>(std::move(chat).value());
    chat_raw_ = providers::json::serialize(*chat_body_);
    return {};
  }

  providers::Api provider_api() const { return translating_ ? providers::Api::openai_chat : req_.api; }
  const rapidjson::Document& provider_body() const { return translating_ ? *chat_body_ : *req_.body; }

  std::optional<RoutedDeployment> choose_deployment(bool& all_cooling) {
    if (req_.pinned_deployment) return s_.router->at(s_.router->index_of(*req_.pinned_deployment));
    return choose_for_attempt(*s_.router, route_, all_cooling);
  }

  void send_upstream() {
    const auto& d = *current_.deployment;
    http::OutboundRequest out;
    out.method = http::Method::post;
    out.target = upstream_.target;
    for (auto& [name, value] : upstream_.headers) out.headers.push_back({name, value});
    out.body = upstream_.body;
    const auto timeout = (upstream_.stream && d.stream_timeout) ? *d.stream_timeout
                         : d.timeout                            ? *d.timeout
                                     : s_.router->settings().timeout.value_or(kDefaultTimeout);
    out.first_byte_timeout = timeout;
    out.idle_timeout = timeout;
    status_ = 0;
    body_.clear();
    retry_after_.reset();
    relay_.reset();
    decoder_.reset();
    attempt_started();
    call_ = s_.client->send(*current_.url, std::move(out), shared_from_this());
  }

  void attempt_failed(FailureClass failure, int status, std::string message) {
    record_attempt(false, failure);
    last_failure_ = failure;
    last_status_ = status;
    last_message_ = std::move(message);
    if (retry_in_group(*s_.router, *s_.metrics, failure, current_.index, route_)) {
      const auto delay = core::retry_backoff(route_.attempts_in_group, retry_after_);
      upstream_time_ += delay;  // waiting for a retry is upstream time, not gateway overhead
      timer_.expires_after(delay);
      timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec) self->attempt();
      });
      return;
    }
    if (move_to_fallback(failure)) {
      attempt();
      return;
    }
    give_up();
  }

  void record_attempt(bool success, FailureClass failure) {
    if (success) {
      s_.metrics->attempt_finished(current_.index, true,
                                   std::chrono::duration<double>(Clock::now() - attempt_start_).count());
      return;
    }
    note_failed_attempt(*s_.router, *s_.metrics, current_, *route_.group, failure, attempt_start_,
                        exchange_->request_id());
  }

  bool move_to_fallback(FailureClass failure) {
    if (req_.pinned_deployment) return false;  // no other deployment holds what it chains onto
    return fall_back(*s_.router, *s_.metrics, failure, route_);
  }

  // --- answers

  void relay_events(std::string_view bytes) {
    events_.clear();
    decoder_->feed(bytes, events_);
    for (const auto& event : events_) {
      streamed_text_tokens_ += provider_->stream_event_text_tokens(upstream_.api, event);
      std::string out = relay_->on_event(event);
      if (out.empty()) continue;
      note_stream_response_id(out);
      if (!stream_started_) start_client_stream();
      exchange_->send_chunk(std::move(out));
    }
  }

  // The client already has part of the stream: charge what was generated so far, the text
  // relayed at least as its estimate (core/cut_stream_output.h).
  void charge_interrupted_stream() {
    if (!stream_started_ || !relay_) return;
    take_stream_usage();
    usage_.completion_tokens =
        core::cut_stream_output_tokens(usage_.completion_tokens, streamed_text_tokens_, req_.completion_tokens_bound);
    end_.mark_interrupted();
  }

  // The provider's usage when its stream reported it, else the gateway's estimate of what was
  // generated: an upstream that never reports usage (an OpenAI-compatible server ignoring
  // stream_options) is not a way around a budget.
  void take_stream_usage() {
    usage_reported_ = relay_->usage_found();
    usage_ = usage_reported_ ? relay_->usage() : estimated_usage(streamed_text_tokens_);
  }

  // The prompt's typical tokens and `completion_tokens` generated, as estimated by the gateway;
  // an estimate may exceed what the provider can have generated, so it is bounded by that.
  core::Usage estimated_usage(std::int64_t completion_tokens) const {
    core::Usage usage;
    usage.prompt_tokens = req_.prompt_tokens_estimate;
    usage.completion_tokens = std::min(completion_tokens, req_.completion_tokens_bound);
    return usage;
  }

  // The client's stream carries its answer's id in its first event with an id.
  void note_stream_response_id(std::string_view client_bytes) {
    if (response_id_.empty()) response_id_ = core::response_id_of_sse(client_bytes);
  }

  void start_client_stream() {
    stream_started_ = true;
    const auto now = Clock::now();
    s_.metrics->time_to_first_token(current_.index, std::chrono::duration<double>(now - attempt_start_).count());
    auto headers = response_headers(attempt_start_);  // overhead: everything before the hand-off
    exchange_->start_stream(200, std::move(headers), "text/event-stream");
  }

  void finish_stream(Clock::time_point now) {
    events_.clear();
    decoder_->finish(events_);
    if (!decoder_->broken().empty()) {
      stream_broken();
      return;
    }
    for (const auto& event : events_) {
      std::string out = relay_->on_event(event);
      if (out.empty()) continue;
      note_stream_response_id(out);
      if (!stream_started_) start_client_stream();
      exchange_->send_chunk(std::move(out));
    }
    if (!stream_started_) start_client_stream();
    take_stream_usage();
    record_success(now);
    finish(true, 200);  // settled before the stream's end reaches the client (call_end.h)
    exchange_->finish_stream();
  }

  void finish_whole(Clock::time_point now) {
    auto translated = provider_->finish_response_for(provider_body(), provider_api(), upstream_.api, std::move(body_),
                                                     route_.requested->name);
    if (translated && translating_) {
      auto responses = providers::responses_body_from_chat(translated->body, translated->usage);
      if (!responses) {
        translated = std::move(responses).error();
      } else {
        translated->body = std::move(responses).value();
      }
    }
    if (!translated) {
      // Malformed upstream JSON: the provider is at fault, and a retry would not be idempotent
      // with respect to cost, so the client gets a 502 at once.
      record_attempt(false, FailureClass::server_error);
      charge_unreadable_answer();
      auto error = std::move(translated).error();
      error.message += " (deployment " + current_.deployment->info.id + ")";
      fail(error);
      return;
    }
    // No usage in the answer: its typical tokens stand for the generated text (the JSON around
    // it counts too, so this errs high, never to nothing). Estimated only then.
    usage_reported_ = translated->usage_found;
    usage_ = usage_reported_ ? translated->usage : estimated_usage(core::estimate_tokens(translated->body));
    response_id_ = core::response_id_of_json(translated->body);
    record_success(now);
    http::Response response = http::json_response(200, std::move(translated->body));
    response.headers = response_headers(now);
    response.headers.push_back({"x-litellm-response-cost", format_cost(cost_of_usage())});
    finish(true, 200);  // settled before the answer reaches the client (call_end.h)
    exchange_->respond(std::move(response));
  }

  void record_success(Clock::time_point now) {
    s_.metrics->attempt_finished(current_.index, true, std::chrono::duration<double>(now - attempt_start_).count());
    s_.metrics->tokens(current_.index, usage_.prompt_tokens, usage_.completion_tokens);
    current_.health->attempt_succeeded(std::chrono::duration_cast<std::chrono::microseconds>(now - attempt_start_),
                                       usage_.total(), now);
  }

  void answer_mock() {
    const auto now = Clock::now();
    current_.health->attempt_started(now);
    s_.metrics->attempt_started(current_.index);
    auto answer = mock_answer(*current_.deployment, provider_api(), provider_body(), route_.requested->name);
    if (translating_) answer_as_responses(answer);
    usage_ = answer.usage;
    usage_reported_ = true;
    if (answer.stream) {
      for (const auto& event : answer.events) note_stream_response_id(event);
    } else {
      response_id_ = core::response_id_of_json(answer.body);
    }
    record_success(Clock::now());
    auto headers = response_headers(Clock::now());
    if (!answer.stream) headers.push_back({"x-litellm-response-cost", format_cost(cost_of_usage())});
    finish(true, 200);  // settled before the answer reaches the client (call_end.h)
    if (answer.stream) {
      exchange_->start_stream(200, std::move(headers), "text/event-stream");
      for (auto& event : answer.events) exchange_->send_chunk(std::move(event));
      exchange_->finish_stream();
    } else {
      http::Response response = http::json_response(200, std::move(answer.body));
      response.headers = std::move(headers);
      exchange_->respond(std::move(response));
    }
  }

  void answer_as_responses(MockAnswer& answer) const {
    if (!answer.stream) {
      auto body = providers::responses_body_from_chat(answer.body, answer.usage);
      if (body) answer.body = std::move(body).value();
      return;
    }
    providers::ResponsesStreamFromChat stream;
    std::vector<std::string> events;
    for (const auto& event : answer.events) {
      auto out = stream.translate(event, answer.usage);
      if (!out.empty()) events.push_back(std::move(out));
    }
    answer.events = std::move(events);
  }

  http::Headers response_headers(Clock::time_point upstream_done) {
    const auto overhead = (upstream_done - req_.received) - upstream_time_;
    http::Headers h = req_.extra_headers;
    h.push_back({"x-litellm-model-id", current_.deployment->info.id});
    append_routing_headers(h, route_);
    h.push_back({"x-litellm-overhead-duration-ms", format_ms(std::max(0.0, milliseconds(overhead)))});
    return h;
  }

  void give_up() { fail(gave_up_error(*route_.group, last_failure_, last_status_, last_message_, retry_after_)); }

  void fail(const core::ApiError& error) {
    http::Response response = http::error_response(error);
    if (req_.api == providers::Api::anthropic_messages) {
      const auto redactor = telemetry::Logger::instance().redactor();
      response.body = providers::anthropic_error_body(error.status, redactor->redact(error.message));
    }
    end_.fail(std::move(response), route_, current_, charge());
  }

  // A stream cut short is charged what it generated so far (charge_interrupted_stream()).
  void client_left() {
    if (end_.done()) return;
    charge_interrupted_stream();
    end_.client_left(call_, current_, *s_.metrics, charge());
  }

  void finish(bool success, int status) { end_.finish(success, status, current_, charge()); }

  // What the call is charged, handed to its end (which takes the response id: it ends once).
  Charge charge() { return {usage_, usage_reported_, cost_of_usage(), std::move(response_id_)}; }

  double cost_of_usage() const {
    if (current_.price == nullptr || !*current_.price) return 0;
    return core::cost_of(usage_, **current_.price, req_.search_context_size);
  }

  static std::string format_cost(double cost) { return core::general_text(cost, 10); }

  // What every attempt uses, from the request's model snapshot (kept alive by req_.models).
  struct Services {
    ModelRouter* router;
    http::HttpClient* client;
    telemetry::ModelMetrics* metrics;
  };
  Services s_;
  http::ExchangePtr exchange_;
  ProxyRequest req_;
  net::io_context& ctx_;
  net::steady_timer timer_;
  CallEnd end_;
  Route route_;
  RoutedDeployment current_;
  std::optional<config::Deployment> concrete_;  // current_'s, when it is a wildcard deployment
  std::optional<core::ModelPrice> concrete_price_;
  const providers::Provider* provider_ = nullptr;  // the plug-in serving current_
  bool translating_ = false;                       // /v1/responses through chat (prepare_translation)
  std::shared_ptr<rapidjson::Document> chat_body_;
  std::string chat_raw_;
  providers::UpstreamRequest upstream_;
  std::shared_ptr<http::OutboundCall> call_;
  Clock::time_point attempt_start_;
  Clock::time_point token_wait_start_;  // when the attempt began waiting for its access token
  Clock::duration upstream_time_{0};
  int status_ = 0;
  std::string body_;
  std::optional<double> retry_after_;
  std::unique_ptr<providers::StreamRelay> relay_;
  std::unique_ptr<providers::StreamDecoder> decoder_;
  std::vector<providers::SseEvent> events_;
  bool stream_started_ = false;
  FailureClass last_failure_ = FailureClass::server_error;
  int last_status_ = 0;
  std::string last_message_;
  core::Usage usage_;
  bool usage_reported_ = false;
  std::string response_id_;
  std::int64_t streamed_text_tokens_ = 0;  // generated text relayed so far (stream_text.h)
};

}  // namespace

void start_proxy_call(http::HttpClient& client, http::ExchangePtr exchange, ProxyRequest request) {
  start_call_on_executor<ProxyCall>(client, std::move(exchange), std::move(request), "proxy_call_off_io_thread");
}

}  // namespace tollgate::proxy
