#include "providers/vertex/vertex_provider.h"

#include "core/url_split.h"
#include "providers/anthropic/anthropic_provider.h"
#include "providers/gemini/gemini_provider.h"
#include "providers/json_util.h"
#include "providers/vertex/vertex_embedding.h"

namespace tollgate::providers {
namespace vertex {
namespace {

// What Anthropic's models on Vertex require in the body instead of the anthropic-version header.
constexpr std::string_view kVertexAnthropicVersion = "vertex-2023-10-16";

// The client's request as the upstream API wants it, from the provider that speaks that API
// natively; only the URL, the credential and (for Anthropic) the body's envelope differ on Vertex.
// /v1/embeddings on a Google text-embedding model: `:predict` (providers/vertex/vertex_embedding.h).
core::Result<UpstreamRequest> build_embedding(const config::Deployment& d, const rapidjson::Document& request) {
  if (is_anthropic_model(d.upstream_model)) return unsupported_api(d, Api::openai_embedding);
  auto body = embedding_predict_body(request);
  if (!body) return std::move(body).error();
  UpstreamRequest out;
  out.api = Api::openai_embedding;
  out.body = std::move(body).value();
  out.target = model_path(d) + ":predict";
  out.headers = {{"content-type", "application/json"}, {"accept", "application/json"}};
  return out;
}

core::Result<UpstreamRequest> build(const config::Deployment& d, Api client_api, const rapidjson::Document& request,
                                    std::string_view raw_body, std::chrono::system_clock::time_point now) {
  if (client_api == Api::openai_embedding) return build_embedding(d, request);
  const bool anthropic = is_anthropic_model(d.upstream_model);
  const auto& native = anthropic ? anthropic_provider() : gemini_provider();
  auto built = native.build_request(d, client_api, request, raw_body, now);
  if (!built) return built;
  auto out = std::move(built).value();
  if (anthropic) {
    auto body = anthropic_platform_body(out.body, kVertexAnthropicVersion, true);
    if (!body) return std::move(body).error();
    out.body = std::move(body).value();
    out.target = model_path(d) + (out.stream ? ":streamRawPredict" : ":rawPredict");
  } else {
    out.target = model_path(d) + (out.stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
  }
  // No key of the native provider: the bearer token is added per call.
  out.headers = {{"content-type", "application/json"}, {"accept", "application/json"}};
  return out;
}

class VertexProvider : public Provider {
 public:
  // Google's models' API; a claude-… deployment's requests say anthropic_messages (build_request),
  // embeddings go to :predict.
  Api upstream_api(Api client_api) const override {
    return client_api == Api::openai_embedding ? Api::openai_embedding : Api::gemini_generate_content;
  }

  std::optional<std::int64_t> max_tokens_added(const config::Deployment& d) const override {
    return native(d.upstream_model).max_tokens_added(d);
  }

  core::Result<UpstreamRequest> build_request(const config::Deployment& d, Api client_api,
                                              const rapidjson::Document& request, std::string_view raw_body,
                                              std::chrono::system_clock::time_point now) const override {
    return build(d, client_api, request, raw_body, now);
  }

  core::Result<ClientBody> finish_response(Api client_api, Api upstream_api, std::string upstream_body,
                                           std::string_view model_group) const override {
    return native(upstream_api).finish_response(client_api, upstream_api, std::move(upstream_body), model_group);
  }

  // Embeddings are answered after the client's encoding_format (providers/vertex/vertex_embedding.h).
  core::Result<ClientBody> finish_response_for(const rapidjson::Document& request, Api client_api, Api upstream_api,
                                               std::string upstream_body, std::string_view model_group) const override {
    if (upstream_api == Api::openai_embedding) return embedding_response(upstream_body, request, model_group);
    return finish_response(client_api, upstream_api, std::move(upstream_body), model_group);
  }

  std::unique_ptr<StreamRelay> stream_relay(Api client_api, Api upstream_api, StreamOptions options) const override {
    return native(upstream_api).stream_relay(client_api, upstream_api, std::move(options));
  }

  std::int64_t stream_event_text_tokens(Api upstream_api, const SseEvent& event) const override {
    return native(upstream_api).stream_event_text_tokens(upstream_api, event);
  }

 private:
  static const Provider& native(std::string_view upstream_model) {
    return is_anthropic_model(upstream_model) ? anthropic_provider() : gemini_provider();
  }
  static const Provider& native(Api upstream_api) {
    return upstream_api == Api::anthropic_messages ? anthropic_provider() : gemini_provider();
  }
};

}  // namespace

bool is_anthropic_model(std::string_view upstream_model) { return upstream_model.rfind("claude", 0) == 0; }

std::string model_path(const config::Deployment& d) {
  return core::base_path(d.api_base) + "/v1/projects/" + d.vertex.project + "/locations/" + d.vertex.location +
         "/publishers/" + (is_anthropic_model(d.upstream_model) ? "anthropic" : "google") + "/models/" +
         d.upstream_model;
}

}  // namespace vertex

const Provider& vertex_provider() {
  static const vertex::VertexProvider provider;
  return provider;
}

}  // namespace tollgate::providers
