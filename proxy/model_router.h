#pragma once
// Chooses a deployment of a model group with the configured strategy, skipping deployments
// that cool down or already failed this request; owns each deployment's live health.
#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "config/model_catalog.h"
#include "core/cost_map.h"
#include "core/output_limit.h"
#include "core/routing.h"
#include "core/search_context_size.h"
#include "core/web_search.h"
#include "http/upstream_url.h"
#include "proxy/deployment_health.h"

namespace tollgate::proxy {

struct RoutedDeployment {
  const config::Deployment* deployment = nullptr;
  std::size_t index = 0;  // position in model_list: metrics and health slot
  DeploymentHealth* health = nullptr;
  const http::UpstreamUrl* url = nullptr;                  // parsed api_base (null for mock deployments)
  const std::optional<core::ModelPrice>* price = nullptr;  // nullopt: unknown (costs 0)
};

// The most a request to a model group can cost per token, over its deployments and fallbacks,
// the longest answer it may get when it sets no max_tokens, and the largest context window
// (when every deployment's model_info gives max_input_tokens): the worst case a budget
// reservation must cover.
struct GroupPricing {
  double max_input_price = 0;
  double max_output_price = 0;
  double max_web_search_fee = core::kWebSearchFeeUsd;  // ModelPrice::web_search_fee()
  // ModelPrice::web_search_fee(size) for each search context size (OpenAI's search models).
  std::array<double, core::kSearchContextSizes> max_web_search_fee_by_size{
      core::kWebSearchFeeUsd, core::kWebSearchFeeUsd, core::kWebSearchFeeUsd};
  std::int64_t max_searches_per_call = 0;  // ModelPrice::searches_per_call
  std::int64_t max_output_tokens = core::kWrittenOutputLimit;
  std::optional<std::int64_t> max_input_tokens;

  // Raises the search fees and searches per call to `price`'s where they are higher.
  void include_searches_of(const core::ModelPrice& price);
  // The most one search at `size` costs on any deployment; nullopt (a request that names no
  // size) → max_web_search_fee.
  double web_search_fee(std::optional<core::SearchContextSize> size) const;
};

class ModelRouter {
 public:
  using Clock = DeploymentHealth::Clock;

  explicit ModelRouter(std::shared_ptr<const config::ModelCatalog> catalog);

  const config::ModelCatalog& catalog() const { return *catalog_; }
  const config::RouterSettings& settings() const { return catalog_->config().router; }

  // nullopt when no deployment is eligible; `all_cooling` then tells whether cooldowns (as
  // opposed to this request's own failures) are the reason.
  std::optional<RoutedDeployment> choose(const config::ModelGroup& group, const std::vector<std::size_t>& excluded,
                                         bool& all_cooling);
  // What to tell a client in retry-after when every deployment cools down.
  std::chrono::seconds retry_after_cooldown() const;

  RoutedDeployment at(std::size_t index);
  std::size_t index_of(const config::Deployment& deployment) const;
  const GroupPricing& pricing(const config::ModelGroup& group) const;
  // pricing(group) for a request that reached it as a wildcard group: its wildcard deployments
  // count at the prices and limits of the model `captured` names.
  GroupPricing pricing(const config::ModelGroup& group, std::string_view captured) const;
  // Price of a deployment: model_info overrides, else the built-in table, else nullopt.
  static std::optional<core::ModelPrice> price_of(const config::Deployment& deployment);

 private:
  std::shared_ptr<const config::ModelCatalog> catalog_;
  core::RoutingStrategy strategy_;
  std::vector<std::unique_ptr<DeploymentHealth>> health_;
  std::vector<std::optional<http::UpstreamUrl>> urls_;
  std::vector<std::optional<core::ModelPrice>> prices_;
  std::unordered_map<const config::ModelGroup*, GroupPricing> group_pricing_;
};

}  // namespace tollgate::proxy
