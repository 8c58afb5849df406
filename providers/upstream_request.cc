#include "providers/upstream_request.h"

#include "providers/anthropic_request.h"
#include "providers/json_util.h"
#include "providers/openai_from_anthropic_request.h"
#include "providers/openai_request.h"

namespace tollgate::providers {
namespace {

constexpr std::string_view kAnthropicVersion = "2023-06-01";
// What a translated request to Anthropic asks for when the client's request sets no limit.
constexpr std::int64_t kDefaultAnthropicMaxTokens = 4096;

std::string_view endpoint_suffix(Api api) {
  switch (api) {
    case Api::openai_chat: return "/chat/completions";
    case Api::openai_completion: return "/completions";
    case Api::openai_embedding: return "/embeddings";
    case Api::anthropic_messages: return "/v1/messages";
  }
  return "/chat/completions";
}

std::string base_path_of(const std::string& api_base) {
  // api_base is validated as http(s)://host[:port][/path]; keep only the path part.
  const auto scheme_end = api_base.find("://");
  const auto slash = api_base.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  std::string path = slash == std::string::npos ? std::string() : api_base.substr(slash);
  while (!path.empty() && path.back() == '/') path.pop_back();
  return path;
}

std::string target_for(const config::Deployment& d, Api api) {
  const std::string base = base_path_of(d.api_base);
  if (d.provider == core::ProviderKind::azure) {
    return base + "/openai/deployments/" + d.upstream_model + std::string(endpoint_suffix(api)) +
           "?api-version=" + d.api_version;
  }
  return base + std::string(endpoint_suffix(api));
}

HeaderList headers_for(const config::Deployment& d) {
  HeaderList h{{"content-type", "application/json"}, {"accept", "application/json"}};
  switch (d.provider) {
    case core::ProviderKind::azure:
      if (!d.api_key.empty()) h.emplace_back("api-key", d.api_key);
      break;
    case core::ProviderKind::anthropic:
      if (!d.api_key.empty()) h.emplace_back("x-api-key", d.api_key);
      h.emplace_back("anthropic-version", std::string(kAnthropicVersion));
      break;
    default:
      if (!d.api_key.empty()) h.emplace_back("authorization", "Bearer " + d.api_key);
  }
  return h;
}

// The client's body with `model` set to the upstream's name (and, for OpenAI chat streams,
// usage requested so spend can be tracked). Forwarded untouched when nothing changes.
// CopyFrom and serialize recurse once per nesting level: safe because every request body was
// parsed with general_settings.max_json_depth (api/json_body.h), at most
// core::kMaxConfigurableJsonDepth levels.
std::string passthrough_body(const config::Deployment& d, Api api, const rapidjson::Document& request,
                             std::string_view raw_body) {
  const auto model = requested_model(request);
  const bool rename = !model || *model != d.upstream_model || d.provider == core::ProviderKind::azure;
  const bool add_usage = api == Api::openai_chat && wants_stream(request) && !wants_stream_usage(request);
  if (!rename && !add_usage) {
    return std::string(raw_body);
  }
  rapidjson::Document copy;
  copy.CopyFrom(request, copy.GetAllocator());
  auto& alloc = copy.GetAllocator();
  if (d.provider == core::ProviderKind::azure) {
    copy.RemoveMember("model");  // Azure takes the deployment from the URL
  } else {
    rapidjson::Value name(d.upstream_model.c_str(), static_cast<rapidjson::SizeType>(d.upstream_model.size()), alloc);
    if (copy.HasMember("model")) {
      copy["model"] = name;
    } else {
      copy.AddMember("model", name, alloc);
    }
  }
  if (add_usage) {
    auto options = copy.FindMember("stream_options");
    if (options == copy.MemberEnd() || !options->value.IsObject()) {
      copy.RemoveMember("stream_options");
      rapidjson::Value object(rapidjson::kObjectType);
      copy.AddMember("stream_options", object, alloc);
      options = copy.FindMember("stream_options");
    }
    options->value.RemoveMember("include_usage");
    options->value.AddMember("include_usage", true, alloc);
  }
  return json::serialize(copy);
}

}  // namespace

std::string_view api_name(Api api) {
  switch (api) {
    case Api::openai_chat: return "chat/completions";
    case Api::openai_completion: return "completions";
    case Api::openai_embedding: return "embeddings";
    case Api::anthropic_messages: return "messages";
  }
  return "chat/completions";
}

std::optional<std::int64_t> max_tokens_added(const config::Deployment& d) {
  if (d.provider != core::ProviderKind::anthropic) return std::nullopt;
  return d.info.max_output_tokens.value_or(kDefaultAnthropicMaxTokens);
}

Api upstream_api_for(const config::Deployment& d, Api client_api) {
  if (d.provider == core::ProviderKind::anthropic) {
    return Api::anthropic_messages;
  }
  return client_api == Api::anthropic_messages ? Api::openai_chat : client_api;
}

core::Result<UpstreamRequest> build_upstream_request(const config::Deployment& d, Api client_api,
                                                     const rapidjson::Document& request, std::string_view raw_body) {
  UpstreamRequest out;
  out.api = upstream_api_for(d, client_api);
  out.target = target_for(d, out.api);
  out.headers = headers_for(d);
  out.stream = wants_stream(request);

  if (out.api == client_api) {
    out.body = passthrough_body(d, client_api, request, raw_body);
    return out;
  }
  if (client_api == Api::openai_chat && out.api == Api::anthropic_messages) {
    auto translated = anthropic_messages_request(request, d.upstream_model, *max_tokens_added(d));
    if (!translated) return std::move(translated).error();
    out.body = std::move(translated).value();
    return out;
  }
  if (client_api == Api::anthropic_messages && out.api == Api::openai_chat) {
    auto translated = openai_chat_request_from_anthropic(request, d.upstream_model);
    if (!translated) return std::move(translated).error();
    out.body = std::move(translated).value();
    return out;
  }
  return core::bad_request("Model group '" + d.model_name + "' is served by provider '" + d.provider_prefix +
                           "', which does not support the " + std::string(api_name(client_api)) + " API");
}

}  // namespace tollgate::providers
