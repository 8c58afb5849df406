#pragma once
// What the endpoint handlers share: the config snapshot and the long-lived services.
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/health_monitor.h"
#include "config/config.h"
#include "config/environment.h"
#include "core/json_limits.h"
#include "core/result.h"
#include "core/ssrf_policy.h"
#include "http/outbound_guard.h"
#include "proxy/model_snapshot.h"
#include "telemetry/metrics.h"

namespace tollgate::http {
class HttpClient;
}
namespace tollgate::identity {
class Authenticator;
class EndUserCache;
}  // namespace tollgate::identity
namespace tollgate::persistence {
class StorePool;
}
namespace tollgate::actors {
class Admission;
}
namespace tollgate::spend {
class SpendWriter;
}
namespace tollgate::telemetry {
class LitellmMetrics;
class SpendMetrics;
}  // namespace tollgate::telemetry
namespace tollgate::cluster {
class Membership;
}
namespace tollgate::core {
class SecretBox;
}
namespace tollgate::mcp {
class Endpoint;
class Registry;
}  // namespace tollgate::mcp

namespace tollgate::api {

class RecentResponseOwners;

// What a config reload applied: the deployments before and after (for the audit log, without
// secrets) and the re-read file's warnings.
struct ConfigReloadResult {
  std::string before_json;
  std::string after_json;
  std::size_t deployments = 0;
  std::vector<std::string> warnings;
};
using ConfigReload = std::function<core::Result<ConfigReloadResult>()>;

struct GatewayContext {
  const proxy::ModelSnapshots* models = nullptr;  // the model list, router and their metrics
  http::HttpClient* client = nullptr;             // outbound calls to providers
  const config::GeneralSettings* general = nullptr;
  telemetry::Metrics* metrics = nullptr;
  const identity::Authenticator* auth = nullptr;
  identity::EndUserCache* end_users = nullptr;  // null: every end user is read from the store
  persistence::StorePool* store = nullptr;
  HealthMonitor* health = nullptr;
  actors::Admission* admission = nullptr;
  spend::SpendWriter* spend = nullptr;
  telemetry::SpendMetrics* spend_metrics = nullptr;
  telemetry::LitellmMetrics* litellm_metrics = nullptr;  // null unless LiteLLM's metric names are served
  const cluster::Membership* membership = nullptr;       // null unless cluster.enabled
  ConfigReload reload_config;                            // empty when there is no config file to re-read
  // Admin-registered MCP servers: the SSRF policy (config mcp_allowed_networks) and the
  // resolver their host names are checked with (null: http::system_resolver(); tests put in
  // one that answers from memory). An upstream client builds its http::OutboundGuard from both.
  core::SsrfPolicy mcp_ssrf_policy;
  std::shared_ptr<const http::HostResolver> host_resolver;
  // The box the credentials the store keeps are sealed with (provider keys of stored models,
  // MCP servers' auth values); null without a salt key.
  const core::SecretBox* store_secrets = nullptr;
  // Models managed at run time (general_settings.store_model_in_db; empty otherwise): the
  // environment their os.environ/ references read, and a wait, after a model write, until this
  // node's model snapshot holds the store as it is now (false when that took too long; the
  // change still arrives).
  config::Environment model_environment;
  std::function<bool()> await_stored_models;
  const mcp::Endpoint* mcp = nullptr;  // the MCP gateway (/mcp)
  const mcp::Registry* mcp_registry = nullptr;
  // Who created the responses this node stored lately (api/stored_responses.h); null: the
  // store alone answers.
  RecentResponseOwners* response_owners = nullptr;

  // A request takes the snapshot once and keeps it to its end (proxy/model_snapshot.h).
  proxy::ModelSnapshotPtr model_snapshot() const { return models->current(); }
  // general_settings.max_json_depth; the default for a context built without settings (tests).
  int max_json_depth() const { return general ? general->max_json_depth : core::kDefaultMaxJsonDepth; }
};

}  // namespace tollgate::api
