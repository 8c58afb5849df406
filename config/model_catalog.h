#pragma once
// Model groups of a config: model_name → its deployments, in config order.
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/config.h"

namespace tollgate::config {

struct ModelGroup {
  std::string name;
  std::vector<const Deployment*> deployments;
  // For model access (core/model_access.h): "<provider>/<model>" of each deployment, and the
  // access groups any of them belongs to.
  std::vector<std::string> provider_models;
  std::vector<std::string> access_groups;
};

class ModelCatalog {
 public:
  explicit ModelCatalog(std::shared_ptr<const Config> config);

  const ModelGroup* find(std::string_view model_name) const;
  const std::vector<ModelGroup>& groups() const { return groups_; }
  const Config& config() const { return *config_; }

 private:
  std::shared_ptr<const Config> config_;  // owns the deployments pointed to
  std::vector<ModelGroup> groups_;
  std::unordered_map<std::string_view, std::size_t> index_;
};

}  // namespace tollgate::config
