#include "proxy/passthrough_upstreams.h"

#include <algorithm>

namespace tollgate::proxy {
namespace {

constexpr core::ProviderKind kPassthroughProviders[] = {core::ProviderKind::openai, core::ProviderKind::anthropic,
                                                        core::ProviderKind::gemini, core::ProviderKind::bedrock,
                                                        core::ProviderKind::vertex_ai};

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
    case core::ProviderKind::vertex_ai:  // only from a deployment: resolve() refuses it without one
    case core::ProviderKind::azure:
    case core::ProviderKind::mock: break;  // no pass-through prefix names them
  }
}

core::Result<PassthroughUpstream> resolve(
    const config::Config& config, core::ProviderKind provider,
    const std::vector<std::shared_ptr<providers::vertex::AccessTokenSource>>& access_tokens) {
  PassthroughUpstream out;
  std::string base;
  const auto& deployments = config.model_list;
  // By prefix, not kind: a groq/ deployment speaks OpenAI's wire but is not OpenAI.
  const auto prefix = core::provider_kind_name(provider);
  const auto first = std::find_if(deployments.begin(), deployments.end(),
                                  [prefix](const config::Deployment& d) { return d.provider_prefix == prefix; });
  for (const auto& d : deployments) {
    if (d.provider_prefix == prefix) out.deployments.push_back(&d);
  }
  if (first != deployments.end()) {
    base = first->api_base;
    out.api_key = first->api_key;
    out.aws = first->aws;
    out.vertex_project = first->vertex.project;
    out.vertex_location = first->vertex.location;
    const auto index = static_cast<std::size_t>(first - deployments.begin());
    if (index < access_tokens.size()) out.access_tokens = access_tokens[index];
  } else {
    from_environment(config.pass_through_env, provider, base, out);
  }
  if (provider == core::ProviderKind::bedrock &&
      (out.aws.access_key_id.empty() || out.aws.secret_access_key.empty() || out.aws.region_name.empty())) {
    return core::not_found(
        "No AWS credentials for /bedrock: configure a bedrock/ deployment or AWS_ACCESS_KEY_ID, "
        "AWS_SECRET_ACCESS_KEY and AWS_REGION_NAME");
  }
  if (provider == core::ProviderKind::vertex_ai && !out.access_tokens) {
    return core::not_found(
        "No Vertex AI credentials for /vertex_ai: configure a vertex_ai/ deployment (its vertex_credentials, "
        "vertex_project and vertex_location are used)");
  }
  auto url = http::parse_upstream_url(base);
  if (!url)
    return core::internal_error("The " + std::string(core::provider_kind_name(provider)) +
                                " api_base is not a valid URL");
  out.url = std::move(*url);
  return out;
}

}  // namespace

PassthroughUpstreams::PassthroughUpstreams(
    const config::Config& config,
    const std::vector<std::shared_ptr<providers::vertex::AccessTokenSource>>& access_tokens) {
  for (const auto provider : kPassthroughProviders) {
    upstreams_.emplace_back(provider, resolve(config, provider, access_tokens));
  }
}

const core::Result<PassthroughUpstream>& PassthroughUpstreams::of(core::ProviderKind provider) const {
  for (const auto& [kind, upstream] : upstreams_) {
    if (kind == provider) return upstream;
  }
  static const core::Result<PassthroughUpstream> kNone = core::not_found("No pass-through route for this provider");
  return kNone;
}

}  // namespace tollgate::proxy
