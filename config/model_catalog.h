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
  // A wildcard group (core/wildcard_model.h) whose pattern matches `model_name`, the most
  // specific first; `captured` is what its '*' matched. Only for a name no group has exactly.
  struct WildcardMatch {
    const ModelGroup* group = nullptr;
    std::string_view captured;  // a view into `model_name`
  };
  WildcardMatch match_wildcard(std::string_view model_name) const;
  const std::vector<ModelGroup>& groups() const { return groups_; }
  const Config& config() const { return *config_; }

 private:
  std::shared_ptr<const Config> config_;  // owns the deployments pointed to
  std::vector<ModelGroup> groups_;
  std::unordered_map<std::string_view, std::size_t> index_;
  std::vector<std::size_t> wildcard_groups_;  // positions in groups_, most specific pattern first
};

}  // namespace tollgate::config
