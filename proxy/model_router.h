#pragma once
// Chooses a deployment of a model group with the configured strategy, skipping deployments
// that cool down or already failed this request; owns each deployment's live health.
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "config/model_catalog.h"
#include "core/routing.h"
#include "http/upstream_url.h"
#include "proxy/deployment_health.h"

namespace tollgate::proxy {

struct RoutedDeployment {
  const config::Deployment* deployment = nullptr;
  std::size_t index = 0;  // position in model_list: metrics and health slot
  DeploymentHealth* health = nullptr;
  const http::UpstreamUrl* url = nullptr;  // parsed api_base (null for mock deployments)
};

class ModelRouter {
 public:
  using Clock = DeploymentHealth::Clock;

  explicit ModelRouter(std::shared_ptr<const config::ModelCatalog> catalog);

  const config::ModelCatalog& catalog() const { return *catalog_; }
  const config::RouterSettings& settings() const { return catalog_->config().router; }

  // nullopt when no deployment is eligible; `all_cooling` then tells whether cooldowns (as
  // opposed to this request's own failures) are the reason.
  std::optional<RoutedDeployment> choose(const config::ModelGroup& group,
                                         const std::vector<std::size_t>& excluded,
                                         bool& all_cooling);
  // What to tell a client in retry-after when every deployment cools down.
  std::chrono::seconds retry_after_cooldown() const;

  RoutedDeployment at(std::size_t index);
  std::size_t index_of(const config::Deployment& deployment) const;

 private:
  std::shared_ptr<const config::ModelCatalog> catalog_;
  core::RoutingStrategy strategy_;
  std::vector<std::unique_ptr<DeploymentHealth>> health_;
  std::vector<std::optional<http::UpstreamUrl>> urls_;
};

}  // namespace tollgate::proxy
