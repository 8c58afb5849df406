#pragma once
// Model aliases, LiteLLM's `aliases` on a key and `model_aliases` on a team ("cheap-model" →
// "gpt-4o-mini"): the name a caller sends and the model group it stands for. The key's own
// aliases override its team's, an alias may shadow a model group of the same name (LiteLLM's
// own example maps "gpt-4o" to "gpt-4o-team-1"), and an alias resolves in one step: its target
// is a model group name, never read as another alias. Pure and table-tested.
#include <map>
#include <string>
#include <string_view>

namespace tollgate::core {

using ModelAliases = std::map<std::string, std::string, std::less<>>;

// Where a requested name's target came from: who defined the alias, if anyone.
enum class AliasSource { none, key, team };

struct ResolvedModel {
  std::string_view group;  // the model group to call: the target, or the requested name itself
  std::string_view alias;  // the requested name when it is an alias, else empty
  AliasSource source = AliasSource::none;
};

// `team_aliases` is null when the key has no team. The views point into the arguments.
ResolvedModel resolve_model_alias(std::string_view requested, const ModelAliases& key_aliases,
                                  const ModelAliases* team_aliases);

}  // namespace tollgate::core
