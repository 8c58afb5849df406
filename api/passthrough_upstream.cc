#include "api/passthrough_upstream.h"

namespace tollgate::api {
namespace {

const config::Deployment* first_deployment_of(const config::Config& config, std::string_view provider_prefix) {
  for (const auto& d : config.model_list) {
    if (d.provider_prefix == provider_prefix) return &d;
  }
  return nullptr;
}

std::string or_default(const std::string& configured, std::string_view fallback) {
  return configured.empty() ? std::string(fallback) : configured;
}

// The provider's endpoint and credential from the environment (or its public default).
void from_environment(const config::PassThroughEnvironment& env, core::ProviderKind provider, std::string& base,
                      PassthroughUpstream& out) {
  switch (provider) {
    case core::ProviderKind::openai:
      base = or_default(env.openai_api_base, "https://api.openai.com");
      out.api_key = env.openai_api_key;
      break;
    case core::ProviderKind::anthropic:
      base = or_default(env.anthropic_api_base, "https://api.anthropic.com");
      out.api_key = env.anthropic_api_key;
      break;
    case core::ProviderKind::gemini:
      base = "https://generativelanguage.googleapis.com";
      out.api_key = env.gemini_api_key;
      break;
    case core::ProviderKind::bedrock:
      out.aws = env.aws;
      base = "https://bedrock-runtime." + env.aws.region_name + ".amazonaws.com";
      break;
    case core::ProviderKind::azure:
    case core::ProviderKind::mock:
    case core::ProviderKind::vertex_ai: break;  // not served: core/passthrough_route.h
  }
}

}  // namespace

core::Result<PassthroughUpstream> passthrough_upstream(const proxy::ModelSnapshot& models,
                                                       const core::PassthroughRoute& route) {
  PassthroughUpstream out;
  std::string base;
  if (const auto* d = first_deployment_of(*models.config, route.provider_prefix)) {
    out.deployment = d;
    base = d->api_base;
    out.api_key = d->api_key;
    out.aws = d->aws;
  } else {
    from_environment(models.config->pass_through_env, route.provider, base, out);
  }
  if (route.provider == core::ProviderKind::bedrock &&
      (out.aws.access_key_id.empty() || out.aws.secret_access_key.empty() || out.aws.region_name.empty())) {
    return core::not_found(
        "No AWS credentials for /bedrock: configure a bedrock/ deployment or AWS_ACCESS_KEY_ID, "
        "AWS_SECRET_ACCESS_KEY and AWS_REGION_NAME");
  }
  auto url = http::parse_upstream_url(base);
  if (!url) return core::internal_error("The " + std::string(route.provider_prefix) + " api_base is not a valid URL");
  out.url = std::move(*url);
  return out;
}

}  // namespace tollgate::api
