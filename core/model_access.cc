#include "core/model_access.h"

#include <algorithm>

namespace tollgate::core {

namespace {

constexpr std::string_view kAllTeamModels = "all-team-models";

bool is_everything(std::string_view entry) { return entry == "*" || entry == "all-proxy-models"; }

bool entry_allows(std::string_view entry, const ModelGroupView& group) {
  if (entry == group.name || is_everything(entry)) return true;
  if (std::find(group.access_groups.begin(), group.access_groups.end(), entry) != group.access_groups.end()) {
    return true;
  }
  if (entry.find('*') == std::string_view::npos) return false;
  if (wildcard_matches(entry, group.name)) return true;
  return std::any_of(group.provider_models.begin(), group.provider_models.end(),
                     [entry](const std::string& model) { return wildcard_matches(entry, model); });
}

bool defers_to_team(const std::vector<std::string>& key_models) {
  return std::find(key_models.begin(), key_models.end(), kAllTeamModels) != key_models.end();
}

}  // namespace

bool wildcard_matches(std::string_view pattern, std::string_view text) {
  // Iterative glob with one backtrack point: linear in practice, never exponential.
  std::size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool models_list_allows(const std::vector<std::string>& models, const ModelGroupView& group) {
  if (models.empty()) return true;
  return std::any_of(models.begin(), models.end(),
                     [&group](const std::string& entry) { return entry_allows(entry, group); });
}

bool model_access_allowed(const std::vector<std::string>& key_models, const std::vector<std::string>* team_models,
                          const std::vector<std::string>* organization_models, const ModelGroupView& group) {
  const bool key_ok = models_list_allows(key_models, group) || (team_models != nullptr && defers_to_team(key_models));
  if (!key_ok) return false;
  if (team_models != nullptr && !models_list_allows(*team_models, group)) return false;
  return organization_models == nullptr || models_list_allows(*organization_models, group);
}

bool model_access_allowed(const std::vector<std::string>& key_models, const std::vector<std::string>* team_models,
                          const std::vector<std::string>* organization_models, const ModelGroupView& group,
                          const ResolvedModel& requested) {
  if (requested.source == AliasSource::none) {
    return model_access_allowed(key_models, team_models, organization_models, group);
  }
  static const std::vector<std::string> kNone;
  const ModelGroupView alias{requested.alias, kNone, kNone};  // a name only: no deployments, no access groups
  const bool key_ok = models_list_allows(key_models, alias) || models_list_allows(key_models, group) ||
                      (team_models != nullptr && defers_to_team(key_models));
  if (!key_ok) return false;
  if (team_models != nullptr && !models_list_allows(*team_models, group) &&
      !(requested.source == AliasSource::team && models_list_allows(*team_models, alias))) {
    return false;
  }
  return organization_models == nullptr || models_list_allows(*organization_models, group);
}

}  // namespace tollgate::core
