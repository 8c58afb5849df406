#include "providers/bedrock/bedrock_provider.h"

#include "core/request_id.h"
#include "core/token_estimate.h"
#include "providers/anthropic_request.h"
#include "providers/anthropic_translated.h"
#include "providers/bedrock/converse_request.h"
#include "providers/bedrock/converse_response.h"
#include "providers/bedrock/converse_stream.h"
#include "providers/bedrock/event_stream.h"
#include "providers/bedrock/sigv4.h"
#include "providers/json_util.h"
#include "providers/openai_request.h"

namespace tollgate::providers {
namespace bedrock {
namespace {

constexpr std::string_view kConversePrefix = "converse/";
constexpr std::string_view kService = "bedrock";
// What a translated request asks for when the client's sets no limit (as for Anthropic).
constexpr std::int64_t kDefaultMaxTokens = 4096;

// Event stream messages → events named by their :event-type (or, for an exception, its
// :exception-type), the JSON payload as data.
class EventStreamDecoder : public StreamDecoder {
 public:
  void feed(std::string_view bytes, std::vector<SseEvent>& out) override {
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
    return truncated_ ? std::string_view("event stream ended inside a message") : std::string_view();
  }

 private:
  eventstream::Decoder decoder_;
  std::vector<eventstream::Message> messages_;
  bool truncated_ = false;
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

class BedrockProvider : public Provider {
 public:
  Api upstream_api(Api) const override { return Api::bedrock_converse; }

  std::optional<std::int64_t> max_tokens_added(const config::Deployment& d) const override {
    return d.info.max_output_tokens.value_or(kDefaultMaxTokens);
  }

  core::Result<UpstreamRequest> build_request(const config::Deployment& d, Api client_api,
                                              const rapidjson::Document& request, std::string_view,
                                              std::chrono::system_clock::time_point now) const override {
    if (client_api != Api::openai_chat && client_api != Api::anthropic_messages) return unsupported_api(d, client_api);
    auto body = converse_body(d, client_api, request, *max_tokens_added(d));
    if (!body) return std::move(body).error();
    UpstreamRequest out;
    out.api = Api::bedrock_converse;
    out.stream = wants_stream(request);
    out.body = std::move(body).value();
    const std::string path = base_path_of(d.api_base) + "/model/" + uri_encode(model_id(d), false) +
                             (out.stream ? "/converse-stream" : "/converse");
    out.target = path;
    out.headers = {{"content-type", "application/json"},
                   {"accept", out.stream ? "application/vnd.amazon.eventstream" : "application/json"}};
    const std::string host = host_of(d.api_base);
    SigV4Request to_sign{"POST", host, path, "", out.headers, out.body, d.aws.region_name, kService};
    const AwsCredentials credentials{d.aws.access_key_id, d.aws.secret_access_key, d.aws.session_token};
    for (auto& header : sigv4_headers(to_sign, credentials, now)) out.headers.push_back(std::move(header));
    return out;
  }

  std::unique_ptr<StreamDecoder> stream_decoder() const override { return std::make_unique<EventStreamDecoder>(); }

  core::Result<ClientBody> finish_response(Api client_api, Api, std::string upstream_body,
                                           std::string_view model_group) const override {
    core::Usage usage;
    auto anthropic = anthropic_message_from_converse(upstream_body, message_id(client_api), model_group, usage);
    return client_body_from_anthropic_message(client_api, std::move(anthropic), usage, model_group);
  }

  std::unique_ptr<StreamRelay> stream_relay(Api client_api, Api, StreamOptions options) const override {
    return std::make_unique<BedrockRelay>(client_api, message_id(client_api), std::move(options));
  }

  std::int64_t stream_event_text_tokens(Api, const SseEvent& event) const override { return delta_text_tokens(event); }

  std::string_view catalog_model(const config::Deployment& d) const override { return catalog_model_of(model_id(d)); }
};

}  // namespace

std::string_view model_id(const config::Deployment& d) {
  std::string_view model = d.upstream_model;
  if (model.substr(0, kConversePrefix.size()) == kConversePrefix) model.remove_prefix(kConversePrefix.size());
  return model;
}

std::string_view catalog_model_of(std::string_view model_id) {
  for (std::string_view region : {"us.", "eu.", "apac.", "us-gov.", "global."}) {
    if (model_id.substr(0, region.size()) == region) {
      model_id.remove_prefix(region.size());
      break;
    }
  }
  constexpr std::string_view kAnthropic = "anthropic.";
  if (model_id.substr(0, kAnthropic.size()) == kAnthropic) model_id.remove_prefix(kAnthropic.size());
  return model_id;
}

std::string host_of(std::string_view api_base) {
  const bool tls = api_base.substr(0, 8) == "https://";
  const auto scheme_end = api_base.find("://");
  auto authority = api_base.substr(scheme_end == std::string_view::npos ? 0 : scheme_end + 3);
  authority = authority.substr(0, authority.find('/'));
  const std::string_view default_port = tls ? ":443" : ":80";
  if (authority.size() > default_port.size() &&
      authority.substr(authority.size() - default_port.size()) == default_port) {
    authority.remove_suffix(default_port.size());
  }
  return std::string(authority);
}

}  // namespace bedrock

const Provider& bedrock_provider() {
  static const bedrock::BedrockProvider provider;
  return provider;
}

}  // namespace tollgate::providers
