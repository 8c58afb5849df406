#pragma once
// Where a pass-through call goes and with which credential: the first deployment in model_list
// of that provider (its api_base and api_key, or its AWS settings), else LiteLLM's environment
// variables (config::PassThroughEnvironment), else the provider's public endpoint without a
// credential (the call then fails upstream as unauthenticated, as it would at LiteLLM).
// Base URLs come from admin config only, never from the caller.
#include <memory>
#include <optional>
#include <string>

#include "config/config.h"
#include "core/passthrough_route.h"
#include "core/result.h"
#include "http/upstream_url.h"
#include "proxy/model_snapshot.h"

namespace tollgate::api {

struct PassthroughUpstream {
  http::UpstreamUrl url;
  std::string api_key;  // a secret: never logged
  config::AwsSettings aws;
  // The deployment the credential came from (its model_info prices the call when it serves
  // the requested model); null when it came from the environment.
  const config::Deployment* deployment = nullptr;
};

core::Result<PassthroughUpstream> passthrough_upstream(const proxy::ModelSnapshot& models,
                                                       const core::PassthroughRoute& route);

}  // namespace tollgate::api
