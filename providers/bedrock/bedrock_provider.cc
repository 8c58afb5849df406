#include "providers/bedrock/bedrock_provider.h"

#include "core/bedrock_model.h"
#include "core/request_id.h"
#include "core/token_estimate.h"
#include "core/url_split.h"
#include "providers/anthropic/anthropic_provider.h"
#include "providers/anthropic_request.h"
#include "providers/anthropic_translated.h"
#include "providers/bedrock/converse_request.h"
#include "providers/bedrock/converse_response.h"
#include "providers/bedrock/converse_stream.h"
#include "providers/bedrock/embeddings.h"
#include "providers/bedrock/event_stream.h"
#include "providers/bedrock/invoke_stream.h"
#include "providers/bedrock/sigv4.h"
#include "providers/json_util.h"
#include "providers/openai_request.h"

namespace tollgate::providers {
namespace bedrock {
namespace {

constexpr std::string_view kService = "bedrock";
// What Anthropic's models on Bedrock require in the body instead of the anthropic-version header.
constexpr std::string_view kBedrockAnthropicVersion = "bedrock-2023-05-31";
constexpr std::string_view kEventStream = "application/vnd.amazon.eventstream";
// What a translated request asks for when the client's sets no limit (as for Anthropic).
constexpr std::int64_t kDefaultMaxTokens = 4096;

// Event stream messages → events named by their :event-type (or, for an exception, its
// :exception-type), the JSON payload as data.
class EventStreamDecoder : public StreamDecoder {
 public:
  void feed(std::string_view bytes, std::vector<SseEvent>& out) override {
    if (!chunk_error_.empty()) return;
    messages_.clear();
    decoder_.feed(bytes, messages_);
    for (auto& m : messages_) {
      const auto type = m.header(":message-type");
      if (type == "exception") {
        out.push_back(SseEvent{std::string(m.header(":exception-type")), std::move(m.payload)});
      } else if (type == "error") {
        rapidjson::Document d(rapidjson::kObjectType);
        d.AddMember("message", json::string_value(m.header(":error-message"), d.GetAllocator()), d.GetAllocator());
        out.push_back(SseEvent{"internalServerException", json::serialize(d)});
      } else if (m.header(":event-type") == "chunk") {  // InvokeModelWithResponseStream
        auto event = anthropic_event_from_chunk(m.payload);
        if (!event) {
          chunk_error_ = "an InvokeModel stream chunk is not base64 of an Anthropic event";
          return;
        }
        out.push_back(std::move(*event));
      } else {
        out.push_back(SseEvent{std::string(m.header(":event-type")), std::move(m.payload)});
      }
    }
  }
  void finish(std::vector<SseEvent>&) override {
    if (decoder_.error().empty() && decoder_.buffered() > 0) truncated_ = true;
  }
  std::string_view broken() const override {
    if (!decoder_.error().empty()) return decoder_.error();
    if (!chunk_error_.empty()) return chunk_error_;
    return truncated_ ? std::string_view("event stream ended inside a message") : std::string_view();
  }

 private:
  eventstream::Decoder decoder_;
  std::vector<eventstream::Message> messages_;
  bool truncated_ = false;
  std::string chunk_error_;
};

std::string message_id(Api client_api) {
  return (client_api == Api::anthropic_messages ? "msg_bdrk_" : "chatcmpl-") + core::generate_request_id();
}

// Converse events translated to Anthropic's, then relayed to the client's API.
using BedrockRelay = AnthropicTranslatedRelay<ConverseToAnthropicStream>;

// Typical tokens of contentBlockDelta's text or tool input.
std::int64_t delta_text_tokens(const SseEvent& event) {
  if (event.event != "contentBlockDelta") return 0;
  rapidjson::Document d;
  if (!json::parse(event.data, d) || !d.IsObject()) return 0;
  const auto* delta = json::member(d, "delta");
  if (delta == nullptr) return 0;
  const auto* use = json::member(*delta, "toolUse");
  return core::estimate_tokens(json::string_or(*delta, "text")) +
         (use ? core::estimate_tokens(json::string_or(*use, "input")) : 0);
}

core::Result<std::string> converse_body(const config::Deployment& d, Api client_api, const rapidjson::Document& request,
                                        std::int64_t max_tokens) {
  if (client_api == Api::anthropic_messages) return bedrock::converse_request_from_anthropic(request);
  auto anthropic = anthropic_messages_request(request, model_id(d), max_tokens);
  if (!anthropic) return std::move(anthropic).error();
  rapidjson::Document parsed;
  if (!json::parse(*anthropic, parsed)) return core::internal_error("Bedrock request translation failed");
  return bedrock::converse_request_from_anthropic(parsed);
}

// The path, the accept header and the SigV4 signature of a request whose body is built.
void address_and_sign(UpstreamRequest& out, const config::Deployment& d, std::string_view method_path,
                      std::string_view accept, std::chrono::system_clock::time_point now) {
  const std::string path =
      core::base_path(d.api_base) + "/model/" + uri_encode(model_id(d), false) + "/" + std::string(method_path);
  out.target = path;
  out.headers = {{"content-type", "application/json"}, {"accept", std::string(accept)}};
  const std::string host = host_of(d.api_base);
  SigV4Request to_sign{"POST", host, path, "", out.headers, out.body, d.aws.region_name, kService};
  const AwsCredentials credentials{d.aws.access_key_id, d.aws.secret_access_key, d.aws.session_token};
  for (auto& header : sigv4_headers(to_sign, credentials, now)) out.headers.push_back(std::move(header));
}

core::Result<UpstreamRequest> converse_request(const config::Deployment& d, Api client_api,
                                               const rapidjson::Document& request, std::int64_t max_tokens,
                                               std::chrono::system_clock::time_point now) {
  if (client_api != Api::openai_chat && client_api != Api::anthropic_messages) return unsupported_api(d, client_api);
  auto body = converse_body(d, client_api, request, max_tokens);
  if (!body) return std::move(body).error();
  UpstreamRequest out;
  out.api = Api::bedrock_converse;
  out.stream = wants_stream(request);
  out.body = std::move(body).value();
  address_and_sign(out, d, out.stream ? "converse-stream" : "converse",
                   out.stream ? kEventStream : std::string_view("application/json"), now);
  return out;
}

// InvokeModel for Anthropic models: the Anthropic provider's body (passed through for
// /v1/messages clients, translated from OpenAI chat), without model and stream, with
// Bedrock's anthropic_version. The answer is Anthropic's (upstream API anthropic_messages).
core::Result<UpstreamRequest> invoke_anthropic_request(const config::Deployment& d, Api client_api,
                                                       const rapidjson::Document& request, std::string_view raw_body,
                                                       std::chrono::system_clock::time_point now) {
  auto built = anthropic_provider().build_request(d, client_api, request, raw_body, now);
  if (!built) return built;
  auto out = std::move(built).value();
  auto body = anthropic_platform_body(out.body, kBedrockAnthropicVersion, false);
  if (!body) return std::move(body).error();
  out.body = std::move(body).value();
  address_and_sign(out, d, out.stream ? "invoke-with-response-stream" : "invoke",
                   out.stream ? kEventStream : std::string_view("application/json"), now);
  return out;
}

core::Result<UpstreamRequest> embedding_request(const config::Deployment& d, core::BedrockRoute route, Api client_api,
                                                const rapidjson::Document& request,
                                                std::chrono::system_clock::time_point now) {
  if (client_api != Api::openai_embedding) return unsupported_api(d, client_api);
  auto body =
      route == core::BedrockRoute::titan_embedding ? titan_embedding_body(request) : cohere_embedding_body(request);
  if (!body) return std::move(body).error();
  UpstreamRequest out;
  out.api = Api::openai_embedding;  // answered in OpenAI's shape by finish_response_for
  out.body = std::move(body).value();
  address_and_sign(out, d, "invoke", "application/json", now);
  return out;
}

// The plug-in of the API a deployment's requests go to, by the API its answers speak:
// InvokeModel's Anthropic answers are Anthropic's own.
bool answers_as_anthropic(Api upstream_api) { return upstream_api == Api::anthropic_messages; }

class BedrockProvider : public Provider {
 public:
  // Converse's; an InvokeModel request says anthropic_messages or openai_embedding (build_request).
  Api upstream_api(Api) const override { return Api::bedrock_converse; }

  std::optional<std::int64_t> max_tokens_added(const config::Deployment& d) const override {
    return d.info.max_output_tokens.value_or(kDefaultMaxTokens);
  }

  core::Result<UpstreamRequest> build_request(const config::Deployment& d, Api client_api,
                                              const rapidjson::Document& request, std::string_view raw_body,
                                              std::chrono::system_clock::time_point now) const override {
    const auto route = core::bedrock_model(d.upstream_model).route;
    switch (route) {
      case core::BedrockRoute::converse: return converse_request(d, client_api, request, *max_tokens_added(d), now);
      case core::BedrockRoute::invoke_anthropic: return invoke_anthropic_request(d, client_api, request, raw_body, now);
      case core::BedrockRoute::titan_embedding:
      case core::BedrockRoute::cohere_embedding: return embedding_request(d, route, client_api, request, now);
      case core::BedrockRoute::invoke_unsupported: break;  // refused by the configuration
    }
    return unsupported_api(d, client_api);
  }

  std::unique_ptr<StreamDecoder> stream_decoder() const override { return std::make_unique<EventStreamDecoder>(); }

  core::Result<ClientBody> finish_response(Api client_api, Api upstream_api, std::string upstream_body,
                                           std::string_view model_group) const override {
    if (answers_as_anthropic(upstream_api)) {
      return anthropic_provider().finish_response(client_api, upstream_api, std::move(upstream_body), model_group);
    }
    core::Usage usage;
    auto anthropic = anthropic_message_from_converse(upstream_body, message_id(client_api), model_group, usage);
    return client_body_from_anthropic_message(client_api, std::move(anthropic), usage, model_group);
  }

  core::Result<ClientBody> finish_response_for(const rapidjson::Document& request, Api client_api, Api upstream_api,
                                               std::string upstream_body, std::string_view model_group) const override {
    if (client_api == Api::openai_embedding) return openai_embeddings_from_bedrock(upstream_body, request, model_group);
    return finish_response(client_api, upstream_api, std::move(upstream_body), model_group);
  }

  std::unique_ptr<StreamRelay> stream_relay(Api client_api, Api upstream_api, StreamOptions options) const override {
    if (answers_as_anthropic(upstream_api)) return make_invoke_stream_relay(client_api, std::move(options));
    return std::make_unique<BedrockRelay>(client_api, message_id(client_api), std::move(options));
  }

  std::int64_t stream_event_text_tokens(Api upstream_api, const SseEvent& event) const override {
    if (answers_as_anthropic(upstream_api)) return Provider::stream_event_text_tokens(upstream_api, event);
    return delta_text_tokens(event);
  }

  std::string_view catalog_model(const config::Deployment& d) const override { return catalog_model_of(model_id(d)); }
};

}  // namespace

std::string_view model_id(const config::Deployment& d) { return core::bedrock_model(d.upstream_model).model_id; }

std::string_view catalog_model_of(std::string_view model_id) {
  model_id = core::without_cross_region_prefix(model_id);
  constexpr std::string_view kAnthropic = "anthropic.";
  if (model_id.substr(0, kAnthropic.size()) == kAnthropic) model_id.remove_prefix(kAnthropic.size());
  return model_id;
}

std::string host_of(std::string_view api_base) {
  const auto parts = core::split_url(api_base);
  const bool tls = parts.scheme == "https";
  const auto split = core::split_host_port(parts.host_port);
  const auto port = split ? core::port_or_default(*split, tls) : std::nullopt;
  // What the outbound client sends (http::UpstreamUrl::host_header) is what gets signed.
  return port ? core::host_header(tls, split->host, *port) : std::string(parts.host_port);
}

}  // namespace bedrock

const Provider& bedrock_provider() {
  static const bedrock::BedrockProvider provider;
  return provider;
}

}  // namespace tollgate::providers
