#include "actors/lease_entity.h"

#include <array>
#include <utility>

namespace tollgate::actors {
namespace {

using persistence::EntityKind;

constexpr std::array<std::pair<EntityKind, std::string_view>, 5> kPrefixes{{
    {EntityKind::key, "key:"},
    {EntityKind::team, "team:"},
    {EntityKind::user, "user:"},
    {EntityKind::organization, "org:"},
    {EntityKind::end_user, "end_user:"},
}};
constexpr std::string_view kModel = "#model:";

}  // namespace

std::string lease_entity(EntityKind kind, std::string_view id) {
  for (const auto& [k, prefix] : kPrefixes) {
    if (k == kind) return std::string(prefix).append(id);
  }
  return std::string(id);
}

std::string_view entity_word(EntityKind kind) {
  switch (kind) {
    case EntityKind::key: return "Key";
    case EntityKind::team: return "Team";
    case EntityKind::user: return "User";
    case EntityKind::organization: return "Organization";
    case EntityKind::end_user: return "End User";
  }
  return "Key";
}

std::string model_lease_entity(EntityKind kind, std::string_view id, std::string_view model) {
  return lease_entity(kind, id).append(kModel).append(model);
}

std::optional<ParsedLeaseEntity> parse_lease_entity(std::string_view entity) {
  for (const auto& [kind, prefix] : kPrefixes) {
    if (entity.substr(0, prefix.size()) != prefix) continue;
    auto rest = entity.substr(prefix.size());
    ParsedLeaseEntity parsed;
    parsed.kind = kind;
    // Only keys have per-model limits (and their ids are hex digests): a team id may contain
    // anything, "#model:" included.
    if (const auto at = rest.find(kModel); kind == EntityKind::key && at != std::string_view::npos) {
      parsed.per_model = true;
      rest = rest.substr(0, at);
    }
    if (rest.empty()) return std::nullopt;
    parsed.id = std::string(rest);
    return parsed;
  }
  return std::nullopt;
}

}  // namespace tollgate::actors
