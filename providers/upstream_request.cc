#include "providers/upstream_request.h"

#include "core/url_split.h"
#include "providers/anthropic_request.h"
#include "providers/json_util.h"
#include "providers/openai_from_anthropic_request.h"
#include "providers/openai_request.h"
#include "providers/written_output_limit.h"

namespace tollgate::providers {
namespace {

// The client's body with `model` set to the upstream's name (and, for OpenAI chat streams,
// usage requested so spend can be tracked; the gateway's output limit when it writes one).
// Forwarded untouched when nothing changes.
// CopyFrom and serialize recurse once per nesting level: safe because every request body was
// parsed with general_settings.max_json_depth (api/json_body.h), at most
// core::kMaxConfigurableJsonDepth levels.
std::string passthrough_body(const config::Deployment& d, Api api, const rapidjson::Document& request,
                             std::string_view raw_body, bool model_in_url, const std::optional<OutputLimitWrite>& limit,
                             bool stream_usage) {
  const auto model = requested_model(request);
  const bool rename = !model || *model != d.upstream_model || model_in_url;
  const bool add_usage =
      stream_usage && api == Api::openai_chat && wants_stream(request) && !wants_stream_usage(request);
  if (!rename && !add_usage && !limit) {
    return std::string(raw_body);
  }
  rapidjson::Document copy;
  copy.CopyFrom(request, copy.GetAllocator());
  auto& alloc = copy.GetAllocator();
  if (model_in_url) {
    copy.RemoveMember("model");  // e.g. Azure takes the deployment from the URL
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
  if (limit) {
    const auto field = rapidjson::StringRef(limit->field.data(), static_cast<rapidjson::SizeType>(limit->field.size()));
    copy.RemoveMember(rapidjson::Value(field));  // a null one
    copy.AddMember(field, rapidjson::Value(static_cast<std::int64_t>(limit->tokens)), alloc);
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
    case Api::bedrock_converse: return "converse";
    case Api::openai_responses: return "responses";
    case Api::gemini_generate_content: return "generateContent";
  }
  return "chat/completions";
}

core::ApiError unsupported_api(const config::Deployment& d, Api client_api) {
  return core::bad_request("Model group '" + d.model_name + "' is served by provider '" + d.provider_prefix +
                           "', which does not support the " + std::string(api_name(client_api)) + " API");
}

core::Result<UpstreamRequest> json_upstream_request(const config::Deployment& d, Api client_api,
                                                    const rapidjson::Document& request, std::string_view raw_body,
                                                    JsonRequestShape shape) {
  UpstreamRequest out;
  out.api = shape.upstream_api;
  out.target = std::move(shape.target);
  out.headers = std::move(shape.headers);
  out.stream = wants_stream(request);

  if (out.api == client_api) {
    out.body =
        passthrough_body(d, client_api, request, raw_body, shape.model_in_url, shape.written_limit, shape.stream_usage);
    return out;
  }
  if (client_api == Api::openai_chat && out.api == Api::anthropic_messages) {
    auto translated = anthropic_messages_request(request, d.upstream_model, shape.max_tokens);
    if (!translated) return std::move(translated).error();
    out.body = std::move(translated).value();
    return out;
  }
  if (client_api == Api::anthropic_messages && out.api == Api::openai_chat) {
    auto translated = openai_chat_request_from_anthropic(
        request, d.upstream_model, output_limit_field(d, Api::openai_chat), shape.written_limit, shape.stream_usage);
    if (!translated) return std::move(translated).error();
    out.body = std::move(translated).value();
    return out;
  }
  return unsupported_api(d, client_api);
}

}  // namespace tollgate::providers
