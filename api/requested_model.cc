#include "api/requested_model.h"

#include <algorithm>

#include "api/inference_accounting.h"
#include "core/model_access.h"
#include "core/wildcard_model.h"

namespace tollgate::api {
namespace {

const core::ModelAliases* team_aliases(const identity::KeyIdentity& identity) {
  return identity.team ? &identity.team->model_aliases : nullptr;
}

void add_aliases(std::vector<std::string>& names, const config::ModelCatalog& models,
                 const identity::KeyIdentity& identity, const core::ModelAliases& aliases) {
  for (const auto& [alias, target] : aliases) {
    if (std::find(names.begin(), names.end(), alias) != names.end()) continue;  // shadowed, or the key's own
    const auto requested = find_requested_model(models, &identity, alias);
    if (requested.group != nullptr && requested_model_allowed(identity, requested)) names.push_back(alias);
  }
}

}  // namespace

RequestedModel find_requested_model(const config::ModelCatalog& models, const identity::KeyIdentity* identity,
                                    std::string_view requested) {
  static const core::ModelAliases kNone;
  RequestedModel out;
  out.resolved = identity ? core::resolve_model_alias(requested, identity->key.model_aliases, team_aliases(*identity))
                          : core::resolve_model_alias(requested, kNone, nullptr);
  out.group = models.find(out.resolved.group);
  if (out.group == nullptr) {
    const auto wildcard = models.match_wildcard(out.resolved.group);
    out.group = wildcard.group;
    out.wildcard_capture = wildcard.captured;
  }
  return out;
}

core::Result<const config::ModelGroup*> callable_group(const config::ModelCatalog& models,
                                                       const identity::KeyIdentity* identity,
                                                       std::string_view requested) {
  auto callable = callable_model(models, identity, requested);
  if (!callable) return callable.error();
  return callable->group;
}

core::Result<CallableModel> callable_model(const config::ModelCatalog& models, const identity::KeyIdentity* identity,
                                           std::string_view requested) {
  const auto found = find_requested_model(models, identity, requested);
  if (found.group == nullptr) {
    auto error =
        core::not_found("The model '" + std::string(requested) + "' does not exist or you do not have access to it");
    error.code = "model_not_found";
    error.param = "model";
    return error;
  }
  if (identity && !requested_model_allowed(*identity, found)) {
    return core::forbidden("This key is not allowed to use the model '" + std::string(requested) + "'");
  }
  return CallableModel{found.group, std::string(found.wildcard_capture)};
}

bool requested_model_allowed(const identity::KeyIdentity& identity, const RequestedModel& requested) {
  const auto& group = *requested.group;
  const auto* team_models = identity.team ? &identity.team->models : nullptr;
  const auto* organization_models = identity.organization ? &identity.organization->models : nullptr;
  if (requested.wildcard_capture.empty()) {
    return core::model_access_allowed(identity.key.models, team_models, organization_models,
                                      {group.name, group.provider_models, group.access_groups}, requested.resolved);
  }
  // The concrete model, as if it were a group of its own: "openai/gpt-4o" reached through
  // "openai/*" is allowed by a list naming "openai/gpt-4o" or "openai/*", not by "openai/gpt-4".
  std::vector<std::string> provider_models;
  for (const auto& pattern : group.provider_models) {
    provider_models.push_back(core::fill_wildcard(pattern, requested.wildcard_capture));
  }
  return core::model_access_allowed(identity.key.models, team_models, organization_models,
                                    {requested.resolved.group, provider_models, group.access_groups},
                                    requested.resolved);
}

std::vector<std::string> callable_model_names(const config::ModelCatalog& models,
                                              const identity::KeyIdentity* identity) {
  std::vector<std::string> names;
  for (const auto& group : models.groups()) {
    if (identity && !model_allowed(*identity, group)) continue;
    // A group that one of the caller's aliases shadows is reached by that alias, not by its name.
    if (identity && find_requested_model(models, identity, group.name).resolved.source != core::AliasSource::none) {
      continue;
    }
    names.push_back(group.name);
  }
  if (identity) {
    add_aliases(names, models, *identity, identity->key.model_aliases);
    if (identity->team) add_aliases(names, models, *identity, identity->team->model_aliases);
  }
  return names;
}

}  // namespace tollgate::api
