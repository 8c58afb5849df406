#pragma once
// The names entities go by between nodes: the ring hashes them to their owner, and every
// lease message carries one. "key:<token hash>", "team:<id>", "user:<id>", "org:<id>"; a key's
// per-model rpm/tpm limits are an entity of their own, "key:<hash>#model:<model group>".
#include <optional>
#include <string>
#include <string_view>

#include "persistence/records.h"

namespace tollgate::actors {

std::string lease_entity(persistence::EntityKind kind, std::string_view id);
// "Key", "Team", "User", "Organization": how refusals and logs name an entity's kind.
std::string_view entity_word(persistence::EntityKind kind);
std::string model_lease_entity(persistence::EntityKind kind, std::string_view id, std::string_view model);

struct ParsedLeaseEntity {
  persistence::EntityKind kind = persistence::EntityKind::key;
  std::string id;
  bool per_model = false;  // a per-model entity has windows, never a budget
};
std::optional<ParsedLeaseEntity> parse_lease_entity(std::string_view entity);

}  // namespace tollgate::actors
