#include "api/passthrough_call.h"

#include <boost/asio/io_context.hpp>

#include "api/passthrough_usage.h"
#include "http/io_threads.h"
#include "providers/registry.h"
#include "providers/vertex/token_source.h"

namespace tollgate::api {
namespace {

constexpr std::size_t kMaxBufferedBody = 64 * 1024 * 1024;

bool is_stream_type(std::string_view content_type) {
  return content_type.rfind("text/event-stream", 0) == 0 ||
         content_type.rfind("application/vnd.amazon.eventstream", 0) == 0;
}

class PassthroughCall : public http::ResponseSink, public std::enable_shared_from_this<PassthroughCall> {
 public:
  PassthroughCall(http::ExchangePtr exchange, PassthroughCallSpec spec)
      : exchange_(std::move(exchange)),
        spec_(std::move(spec)),
        usage_(spec_.route.answer_format, spec_.usage_without_usage.web_search_requests,
               spec_.usage_without_usage.prompt_tokens) {}

  void start(http::HttpClient& client) {
    exchange_->on_client_gone([weak = weak_from_this()] {
      if (auto self = weak.lock()) self->client_left();
    });
    if (spec_.access_tokens) {
      send_with_access_token(client);
      return;
    }
    send(client);
  }

  void on_head(int status, const http::Headers& headers) override {
    status_ = status;
    content_type_ = std::string(http::header_value(headers, "content-type").value_or(""));
    if (content_type_.empty()) content_type_ = "application/json";
    streaming_ = status_ >= 200 && status_ < 300 && is_stream_type(content_type_);
    if (!streaming_) return;
    decoder_ = providers::provider_for(spec_.route.answer_format).stream_decoder();
    exchange_->start_stream(status_, spec_.extra_headers, content_type_);
  }

  void on_data(std::string_view bytes) override {
    if (done_) return;
    if (streaming_) {
      events_.clear();
      decoder_->feed(bytes, events_);
      for (const auto& event : events_) usage_.on_event(event);
      exchange_->send_chunk(std::string(bytes));
      return;
    }
    if (body_.size() + bytes.size() > kMaxBufferedBody) {
      overflow_ = true;
      return;
    }
    body_.append(bytes);
  }

  void on_complete() override {
    call_.reset();
    if (done_) return;
    if (streaming_) {
      events_.clear();
      decoder_->finish(events_);
      for (const auto& event : events_) usage_.on_event(event);
      exchange_->finish_stream();
      finish(true, false);
      return;
    }
    if (overflow_) {
      http::respond_error(exchange_, core::bad_gateway("The upstream answer is larger than the gateway relays"));
      finish(false, false);
      return;
    }
    const bool success = status_ >= 200 && status_ < 300;
    if (success) usage_.on_body(body_);
    http::Response response;
    response.status = status_;
    response.content_type = content_type_;
    response.body = std::move(body_);
    if (success) response.headers = spec_.extra_headers;
    exchange_->respond(std::move(response));
    finish(success, false);
  }

  void on_error(http::ClientErrorKind kind, const std::string& message) override {
    call_.reset();
    if (done_) return;
    if (streaming_) {  // bytes already reached the client: its response is left incomplete
      exchange_->abort_stream();
      finish(false, true);
      return;
    }
    if (kind == http::ClientErrorKind::overloaded) {
      http::respond_error(exchange_,
                          core::gateway_overloaded("The gateway is overloaded: " + message + ". Retry shortly."));
    } else if (kind == http::ClientErrorKind::timeout) {
      http::respond_error(exchange_, core::gateway_timeout("The upstream did not answer in time"));
    } else {
      http::respond_error(exchange_, core::bad_gateway("The upstream connection failed: " + message));
    }
    finish(false, false);
  }

 private:
  void send(http::HttpClient& client) { call_ = client.send(spec_.url, std::move(spec_.request), shared_from_this()); }

  // Vertex AI: the service account's access token is the credential. When none is ready the call
  // waits without a thread and resumes on this request's I/O thread (providers/vertex/token_source.h).
  void send_with_access_token(http::HttpClient& client) {
    boost::asio::io_context* io = client.io().current();
    if (io == nullptr) {  // started off the gateway's I/O threads: nowhere to resume
      http::respond_error(exchange_, core::internal_error("Internal error"));
      finish(false, false);
      return;
    }
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    auto token = spec_.access_tokens->token_or_wait(
        client, io->get_executor(),
        [self = shared_from_this(), client = &client](core::Result<std::string> token) {
          self->access_token_ready(*client, std::move(token));
        },
        now);
    if (token) access_token_ready(client, std::move(*token));
  }

  void access_token_ready(http::HttpClient& client, core::Result<std::string> token) {
    if (done_) return;  // the client left while the token was on its way
    if (!token) {       // names the token endpoint's status, never the key or a token
      http::respond_error(exchange_, core::bad_gateway("Vertex AI access token: " + token.error().message));
      finish(false, false);
      return;
    }
    spec_.request.headers.push_back({"authorization", "Bearer " + std::move(token).value()});
    send(client);
  }

  void client_left() {
    if (done_) return;
    if (call_) {
      call_->cancel();
      call_.reset();
    }
    finish(false, streaming_);
  }

  // Exact when the answer carried usage (a stream cut short: with at least the text it relayed
  // as output); else the most it can have cost for a known inference shape (a stream without
  // its usage, one cut short), else nothing.
  void finish(bool success, bool interrupted) {
    if (done_) return;
    done_ = true;
    proxy::CallOutcome outcome;
    outcome.success = success;
    outcome.interrupted = interrupted;
    outcome.status = status_;
    outcome.deployment = &spec_.target;
    outcome.client_gone = exchange_->client_gone();
    outcome.priced = spec_.price.has_value();
    if (usage_.found()) {
      outcome.usage =
          interrupted ? usage_.usage_cut_short(spec_.usage_without_usage.completion_tokens) : usage_.usage();
      outcome.usage_reported = true;
      outcome.cost = spec_.price ? core::cost_of(outcome.usage, *spec_.price, spec_.search_context_size) : 0.0;
    } else if (success || interrupted) {
      outcome.usage = spec_.usage_without_usage;
      outcome.cost = spec_.cost_without_usage;
    }
    if (spec_.on_finished) spec_.on_finished(outcome);
  }

  http::ExchangePtr exchange_;
  PassthroughCallSpec spec_;
  PassthroughUsage usage_;
  std::shared_ptr<http::OutboundCall> call_;
  int status_ = 0;
  std::string content_type_;
  bool streaming_ = false;
  std::unique_ptr<providers::StreamDecoder> decoder_;
  std::vector<providers::SseEvent> events_;
  std::string body_;
  bool overflow_ = false;
  bool done_ = false;
};

}  // namespace

void start_passthrough_call(http::HttpClient& client, const http::ExchangePtr& exchange, PassthroughCallSpec spec) {
  auto call = std::make_shared<PassthroughCall>(exchange, std::move(spec));
  call->start(client);
}

}  // namespace tollgate::api
