#include "config/model_catalog.h"

#include <algorithm>

#include "core/wildcard_model.h"

namespace tollgate::config {

ModelCatalog::ModelCatalog(std::shared_ptr<const Config> config) : config_(std::move(config)) {
  std::unordered_map<std::string, std::size_t> positions;
  for (const auto& deployment : config_->model_list) {
    auto [it, inserted] = positions.try_emplace(deployment.model_name, groups_.size());
    if (inserted) {
      groups_.push_back({deployment.model_name, {}, {}, {}});
    }
    auto& group = groups_[it->second];
    group.deployments.push_back(&deployment);
    group.provider_models.push_back(deployment.provider_prefix + "/" + deployment.upstream_model);
    for (const auto& name : deployment.info.access_groups) {
      if (std::find(group.access_groups.begin(), group.access_groups.end(), name) == group.access_groups.end()) {
        group.access_groups.push_back(name);
      }
    }
  }
  for (std::size_t i = 0; i < groups_.size(); ++i) {
    index_.emplace(groups_[i].name, i);
    if (core::is_wildcard_pattern(groups_[i].name)) wildcard_groups_.push_back(i);
  }
  std::stable_sort(wildcard_groups_.begin(), wildcard_groups_.end(), [this](std::size_t a, std::size_t b) {
    return core::wildcard_specificity(groups_[a].name) > core::wildcard_specificity(groups_[b].name);
  });
}

const ModelGroup* ModelCatalog::find(std::string_view model_name) const {
  const auto it = index_.find(model_name);
  return it == index_.end() ? nullptr : &groups_[it->second];
}

ModelCatalog::WildcardMatch ModelCatalog::match_wildcard(std::string_view model_name) const {
  for (const auto i : wildcard_groups_) {
    if (const auto captured = core::wildcard_capture(groups_[i].name, model_name)) return {&groups_[i], *captured};
  }
  return {};
}

}  // namespace tollgate::config
