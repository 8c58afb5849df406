#include "providers/gemini/gemini_provider.h"

#include "core/request_id.h"
#include "core/token_estimate.h"
#include "core/url_split.h"
#include "providers/anthropic_request.h"
#include "providers/anthropic_translated.h"
#include "providers/gemini/gemini_request.h"
#include "providers/gemini/gemini_response.h"
#include "providers/gemini/gemini_stream.h"
#include "providers/json_util.h"
#include "providers/openai_request.h"

namespace tollgate::providers {
namespace gemini {
namespace {

// What a translated request asks for when the client sets no limit (Gemini's usual output cap).
constexpr std::int64_t kDefaultMaxTokens = 8192;

std::string message_id(Api client_api) {
  return (client_api == Api::anthropic_messages ? "msg_gmn_" : "chatcmpl-") + core::generate_request_id();
}

// Gemini chunks translated to Anthropic's events, then relayed to the client's API.
using GeminiRelay = AnthropicTranslatedRelay<GeminiToAnthropicStream>;

// Typical tokens of the text parts of one chunk.
std::int64_t chunk_text_tokens(const SseEvent& event) {
  rapidjson::Document d;
  if (!json::parse(event.data, d) || !d.IsObject()) return 0;
  const auto* candidates = json::member(d, "candidates");
  if (candidates == nullptr || !candidates->IsArray() || candidates->Empty()) return 0;
  const auto* content = json::member((*candidates)[0], "content");
  const auto* parts = content ? json::member(*content, "parts") : nullptr;
  if (parts == nullptr || !parts->IsArray()) return 0;
  std::int64_t tokens = 0;
  for (const auto& part : parts->GetArray()) {
    tokens += core::estimate_tokens(json::string_or(part, "text"));
    if (const auto* call = json::member(part, "functionCall"); call != nullptr) {
      if (const auto* args = json::member(*call, "args")) tokens += core::estimate_tokens(json::serialize(*args));
    }
  }
  return tokens;
}

core::Result<std::string> generate_content_body(Api client_api, const rapidjson::Document& request,
                                                std::string_view model, std::int64_t max_tokens) {
  if (client_api == Api::anthropic_messages) return generate_content_request_from_anthropic(request);
  auto anthropic = anthropic_messages_request(request, model, max_tokens);
  if (!anthropic) return std::move(anthropic).error();
  rapidjson::Document parsed;
  if (!json::parse(*anthropic, parsed)) return core::internal_error("Gemini request translation failed");
  return generate_content_request_from_anthropic(parsed);
}

class GeminiProvider : public Provider {
 public:
  Api upstream_api(Api) const override { return Api::gemini_generate_content; }

  std::optional<std::int64_t> max_tokens_added(const config::Deployment& d) const override {
    return d.info.max_output_tokens.value_or(kDefaultMaxTokens);
  }

  core::Result<UpstreamRequest> build_request(const config::Deployment& d, Api client_api,
                                              const rapidjson::Document& request, std::string_view,
                                              std::chrono::system_clock::time_point) const override {
    if (client_api != Api::openai_chat && client_api != Api::anthropic_messages) return unsupported_api(d, client_api);
    auto body = generate_content_body(client_api, request, d.upstream_model, *max_tokens_added(d));
    if (!body) return std::move(body).error();
    UpstreamRequest out;
    out.api = Api::gemini_generate_content;
    out.stream = wants_stream(request);
    out.body = std::move(body).value();
    out.target = core::base_path(d.api_base) + "/v1beta/models/" + d.upstream_model +
                 (out.stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
    // The key in a header, not in the URL (?key=), so that it never lands in an access log.
    out.headers = {{"content-type", "application/json"}, {"x-goog-api-key", d.api_key}};
    return out;
  }

  core::Result<ClientBody> finish_response(Api client_api, Api, std::string upstream_body,
                                           std::string_view model_group) const override {
    return client_body_from_gemini(client_api, upstream_body, model_group);
  }

  std::unique_ptr<StreamRelay> stream_relay(Api client_api, Api, StreamOptions options) const override {
    return std::make_unique<GeminiRelay>(client_api, message_id(client_api), std::move(options));
  }

  std::int64_t stream_event_text_tokens(Api, const SseEvent& event) const override { return chunk_text_tokens(event); }
};

}  // namespace

core::Result<ClientBody> client_body_from_gemini(Api client_api, std::string_view upstream_body,
                                                 std::string_view model_group) {
  core::Usage usage;
  auto anthropic = anthropic_message_from_gemini(upstream_body, message_id(client_api), model_group, usage);
  return client_body_from_anthropic_message(client_api, std::move(anthropic), usage, model_group);
}

std::unique_ptr<StreamRelay> gemini_stream_relay(Api client_api, StreamOptions options) {
  return std::make_unique<GeminiRelay>(client_api, message_id(client_api), std::move(options));
}

std::int64_t gemini_chunk_text_tokens(const SseEvent& event) { return chunk_text_tokens(event); }

}  // namespace gemini

const Provider& gemini_provider() {
  static const gemini::GeminiProvider provider;
  return provider;
}

}  // namespace tollgate::providers
