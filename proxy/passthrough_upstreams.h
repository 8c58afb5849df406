#pragma once
// Where each pass-through provider's calls go and with which credential, resolved once per
// config (in the model snapshot) rather than per request: the first deployment in model_list of
// that provider (its api_base and api_key, its AWS settings, or its Vertex service account,
// project and location), else LiteLLM's environment variables (config::PassThroughEnvironment),
// else the provider's public endpoint without a credential (the call then fails upstream as
// unauthenticated, as it would at LiteLLM). Base URLs come from admin config only, never from
// the caller.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "core/provider_kind.h"
#include "core/result.h"
#include "http/upstream_url.h"

namespace tollgate::providers::vertex {
class AccessTokenSource;
}

namespace tollgate::proxy {

struct PassthroughUpstream {
  http::UpstreamUrl url;
  std::string api_key;  // a secret: never logged
  config::AwsSettings aws;
  // Vertex AI: the project and location every call goes to, and the bearer token's source.
  std::string vertex_project;
  std::string vertex_location;
  std::shared_ptr<providers::vertex::AccessTokenSource> access_tokens;
  // Every deployment of the provider (model_list order; the first gave the credential): each
  // one naming the requested model prices the call (api/passthrough_routes.cc). Empty when the
  // credential came from the environment. They live as long as the snapshot's config.
  std::vector<const config::Deployment*> deployments;
};

class PassthroughUpstreams {
 public:
  // `access_tokens`: the snapshot's token source per deployment (model_list order).
  PassthroughUpstreams(const config::Config& config,
                       const std::vector<std::shared_ptr<providers::vertex::AccessTokenSource>>& access_tokens);

  // The upstream of a pass-through provider, or why it has none (404, or 500 for a bad api_base).
  const core::Result<PassthroughUpstream>& of(core::ProviderKind provider) const;

 private:
  std::vector<std::pair<core::ProviderKind, core::Result<PassthroughUpstream>>> upstreams_;
};

}  // namespace tollgate::proxy
