#include "providers/anthropic/anthropic_provider.h"

#include "core/url_split.h"
#include "providers/json_util.h"

namespace tollgate::providers {
namespace {

constexpr std::string_view kAnthropicVersion = "2023-06-01";
// What a translated request to Anthropic asks for when the client's request sets no limit.
constexpr std::int64_t kDefaultAnthropicMaxTokens = 4096;

class AnthropicProvider : public Provider {
 public:
  Api upstream_api(Api) const override { return Api::anthropic_messages; }

  std::optional<std::int64_t> max_tokens_added(const config::Deployment& d) const override {
    return d.info.max_output_tokens.value_or(kDefaultAnthropicMaxTokens);
  }

  core::Result<UpstreamRequest> build_request(const config::Deployment& d, Api client_api,
                                              const rapidjson::Document& request, std::string_view raw_body,
                                              std::chrono::system_clock::time_point) const override {
    if (client_api != Api::openai_chat && client_api != Api::anthropic_messages) return unsupported_api(d, client_api);
    JsonRequestShape shape;
    shape.upstream_api = Api::anthropic_messages;
    shape.target = core::base_path(d.api_base) + "/v1/messages";
    shape.headers = {{"content-type", "application/json"}, {"accept", "application/json"}};
    if (!d.api_key.empty()) shape.headers.emplace_back("x-api-key", d.api_key);
    shape.headers.emplace_back("anthropic-version", std::string(kAnthropicVersion));
    shape.max_tokens = *max_tokens_added(d);
    return json_upstream_request(d, client_api, request, raw_body, std::move(shape));
  }
};

}  // namespace

core::Result<std::string> anthropic_platform_body(const std::string& messages_body, std::string_view version,
                                                  bool keep_stream) {
  rapidjson::Document body;
  if (!json::parse(messages_body, body) || !body.IsObject()) {
    return core::internal_error("Anthropic request translation failed");
  }
  body.RemoveMember("model");
  if (!keep_stream) body.RemoveMember("stream");
  body.RemoveMember("anthropic_version");
  body.AddMember("anthropic_version", rapidjson::StringRef(version.data(), version.size()), body.GetAllocator());
  return json::serialize(body);
}

const Provider& anthropic_provider() {
  static const AnthropicProvider provider;
  return provider;
}

}  // namespace tollgate::providers
