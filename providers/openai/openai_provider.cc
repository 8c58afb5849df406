#include "providers/openai/openai_provider.h"

#include "core/url_split.h"
#include "providers/written_output_limit.h"

namespace tollgate::providers {
namespace {

class OpenAIProvider : public Provider {
 public:
  Api upstream_api(Api client_api) const override { return openai_wire_api_for(client_api); }
  bool speaks_responses_api() const override { return true; }

  std::optional<std::int64_t> max_tokens_added(const config::Deployment& d) const override {
    return openai_wire_limit_added(d);
  }

  core::Result<UpstreamRequest> build_request(const config::Deployment& d, Api client_api,
                                              const rapidjson::Document& request, std::string_view raw_body,
                                              std::chrono::system_clock::time_point) const override {
    auto shape = openai_wire_shape(d, client_api, request, core::base_path(d.api_base));
    if (!shape) return std::move(shape).error();
    if (!d.api_key.empty()) shape->headers.emplace_back("authorization", "Bearer " + d.api_key);
    return json_upstream_request(d, client_api, request, raw_body, std::move(shape).value());
  }

  core::Result<UpstreamRequest> stored_response_request(const config::Deployment& d, std::string_view id,
                                                        std::string_view suffix,
                                                        std::string_view query) const override {
    auto request = stored_response_shape(core::base_path(d.api_base) + "/responses", id, suffix, "", query);
    if (!d.api_key.empty()) request.headers.emplace_back("authorization", "Bearer " + d.api_key);
    return request;
  }
};

}  // namespace

std::string_view openai_endpoint_suffix(Api api) {
  switch (api) {
    case Api::openai_completion: return "/completions";
    case Api::openai_embedding: return "/embeddings";
    case Api::openai_responses: return "/responses";
    default: return "/chat/completions";
  }
}

Api openai_wire_api_for(Api client_api) {
  return client_api == Api::anthropic_messages || client_api == Api::bedrock_converse ||
                 client_api == Api::gemini_generate_content
             ? Api::openai_chat
             : client_api;
}

core::Result<JsonRequestShape> openai_wire_shape(const config::Deployment& d, Api client_api,
                                                 const rapidjson::Value& request, const std::string& base_path) {
  JsonRequestShape shape;
  shape.upstream_api = openai_wire_api_for(client_api);
  shape.target = base_path + std::string(openai_endpoint_suffix(shape.upstream_api));
  shape.headers = {{"content-type", "application/json"}, {"accept", "application/json"}};
  auto limit = openai_wire_written_limit(d, shape.upstream_api, request);
  if (!limit) return std::move(limit).error();
  shape.written_limit = *limit;
  return shape;
}

UpstreamRequest stored_response_shape(const std::string& responses_path, std::string_view id, std::string_view suffix,
                                      std::string query_prefix, std::string_view query) {
  UpstreamRequest request;
  request.api = Api::openai_responses;
  request.target = responses_path + "/" + std::string(id) + std::string(suffix);
  std::string full_query = std::move(query_prefix);
  if (!query.empty()) full_query += (full_query.empty() ? "" : "&") + std::string(query);
  if (!full_query.empty()) request.target += "?" + full_query;
  request.headers = {{"accept", "application/json"}};
  return request;
}

const Provider& openai_provider() {
  static const OpenAIProvider provider;
  return provider;
}

}  // namespace tollgate::providers
