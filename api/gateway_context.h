#pragma once
// What the endpoint handlers share: the config snapshot and the long-lived services.
#include <atomic>
#include <memory>

#include "api/health_monitor.h"
#include "config/model_catalog.h"
#include "core/json_limits.h"
#include "proxy/proxy_call.h"
#include "telemetry/metrics.h"

namespace tollgate::identity {
class Authenticator;
}
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
class SpendMetrics;
}
namespace tollgate::cluster {
class Membership;
}
namespace tollgate::mcp {
class Endpoint;
class Registry;
}

namespace tollgate::api {

struct GatewayContext {
  std::shared_ptr<const config::ModelCatalog> catalog;
  const config::GeneralSettings* general = nullptr;
  telemetry::Metrics* metrics = nullptr;
  const identity::Authenticator* auth = nullptr;
  persistence::StorePool* store = nullptr;
  HealthMonitor* health = nullptr;
  proxy::ProxyServices proxy;
  actors::Admission* admission = nullptr;
  spend::SpendWriter* spend = nullptr;
  telemetry::SpendMetrics* spend_metrics = nullptr;
  const cluster::Membership* membership = nullptr;  // null unless cluster.enabled
  const mcp::Endpoint* mcp = nullptr;               // the MCP gateway (/mcp)
  const mcp::Registry* mcp_registry = nullptr;

  const config::ModelCatalog& models() const { return *catalog; }
  // general_settings.max_json_depth; the default for a context built without settings (tests).
  int max_json_depth() const { return general ? general->max_json_depth : core::kDefaultMaxJsonDepth; }
};

}  // namespace tollgate::api
