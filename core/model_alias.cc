#include "core/model_alias.h"

namespace tollgate::core {

ResolvedModel resolve_model_alias(std::string_view requested, const ModelAliases& key_aliases,
                                  const ModelAliases* team_aliases) {
  if (const auto it = key_aliases.find(requested); it != key_aliases.end()) {
    return {it->second, it->first, AliasSource::key};
  }
  if (team_aliases != nullptr) {
    if (const auto it = team_aliases->find(requested); it != team_aliases->end()) {
      return {it->second, it->first, AliasSource::team};
    }
  }
  return {requested, {}, AliasSource::none};
}

}  // namespace tollgate::core
