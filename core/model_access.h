#pragma once
// Which model groups a key may call: the `models` lists of the key, its team and its
// organization, each read the way LiteLLM reads them — a group name, an access group
// (model_info.access_groups), a wildcard ("openai/*", matched against the group name and the
// provider/model of each of its deployments), or "*" / "all-proxy-models" for everything; an
// empty list allows every model. Pure, so the whole table is tested without a gateway.
#include <string>
#include <string_view>
#include <vector>

#include "core/model_alias.h"

namespace tollgate::core {

// What the decision needs to know about one model group.
struct ModelGroupView {
  std::string_view name;
  const std::vector<std::string>& provider_models;  // "openai/gpt-4o", one per deployment
  const std::vector<std::string>& access_groups;    // union of its deployments' access_groups
};

// One list's verdict. A key list naming "all-team-models" defers to its team's list; here, as
// one list on its own, that entry allows nothing.
bool models_list_allows(const std::vector<std::string>& models, const ModelGroupView& group);

// The key's list, bounded by its team's and its organization's: a key never reaches a model its
// team or organization does not allow, whatever its own list says. `team` and `organization`
// are null when the key has none.
bool model_access_allowed(const std::vector<std::string>& key_models, const std::vector<std::string>* team_models,
                          const std::vector<std::string>* organization_models, const ModelGroupView& group);

// A request that named an alias (core/model_alias.h) of `group`. An alias is a new name, never
// a new right: the key's list may allow the alias name or the target; the team's list the
// target, or the alias name when the alias is the team's own (a key's alias never borrows a
// name its team granted); the organization's list the target. So whoever may set aliases
// reaches no model group the team and organization lists do not allow. LiteLLM, by contrast,
// allows any team alias whatever the lists say (docs/api.md "Model aliases").
bool model_access_allowed(const std::vector<std::string>& key_models, const std::vector<std::string>* team_models,
                          const std::vector<std::string>* organization_models, const ModelGroupView& group,
                          const ResolvedModel& requested);

// A '*' in `pattern` matches any run of characters (LiteLLM turns it into ".*").
bool wildcard_matches(std::string_view pattern, std::string_view text);

}  // namespace tollgate::core
