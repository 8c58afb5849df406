#pragma once
// The TEXT columns that hold JSON: model lists, per-model limits, metadata objects.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/mcp_access.h"
#include "core/model_alias.h"

namespace tollgate::persistence {

std::string string_list_to_json(const std::vector<std::string>& values);
// Tolerant: anything but an array of strings reads as an empty list (non-strings are skipped).
std::vector<std::string> string_list_from_json(std::string_view json);

std::string int_map_to_json(const std::map<std::string, std::int64_t>& values);
std::map<std::string, std::int64_t> int_map_from_json(std::string_view json);

// model_aliases: {"alias": "model group", …}; tolerant like the lists (non-string values are skipped).
std::string string_map_to_json(const core::ModelAliases& values);
core::ModelAliases string_map_from_json(std::string_view json);

// object_permission: {"mcp_servers":[…],"mcp_access_groups":[…],"mcp_tool_permissions":{…}}.
// Reading is tolerant like the lists above; NULL (nullopt) stays "no permission set".
std::string mcp_permission_to_json(const core::McpPermission& permission);
std::optional<core::McpPermission> mcp_permission_from_json(const std::optional<std::string>& json);

// The text to store for a metadata object: "{}" for empty input; throws StoreError when it
// is not a JSON object (it is embedded verbatim in audit JSON, so it must be valid).
std::string checked_json_object(const std::string& json, const char* field);

// The same for a metadata object the gateway serialized itself (a spend log's: see
// SpendLogRow::metadata), with a structural check only: the first byte is '{' and the last '}'.
// A full parse here was ~12.8k instructions per spend row, ~6% of a proxied request (callgrind),
// to re-check the output of our own JSON writer. The column is TEXT in both stores, so neither
// would refuse bad JSON: /spend/logs embeds it verbatim (JsonOut::raw_json), which is why it must
// be an object. Throws StoreError like checked_json_object, so a row that bypassed the serializer
// (a programming error) fails its batch here instead of breaking every later /spend/logs answer.
std::string own_json_object(const std::string& json, const char* field);

}  // namespace tollgate::persistence
