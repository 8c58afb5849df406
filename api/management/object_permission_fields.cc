#include "api/management/object_permission_fields.h"

#include <algorithm>
#include <string>

#include "api/management/http_error.h"

namespace tollgate::api {
namespace {

constexpr const char* kField = "object_permission";
// LiteLLM's object_permission members that are not the MCP part, and its bookkeeping.
constexpr std::string_view kIgnored[] = {"object_permission_id"};

std::vector<std::string> string_list(const rapidjson::Value& value, const std::string& param) {
  std::vector<std::string> out;
  if (value.IsNull()) return out;
  if (!value.IsArray()) throw_bad_request("'" + param + "' must be a list of strings", param);
  for (const auto& item : value.GetArray()) out.push_back(text_field(item, param));
  return out;
}

std::map<std::string, std::vector<std::string>> tool_lists(const rapidjson::Value& value, const std::string& param) {
  std::map<std::string, std::vector<std::string>> out;
  if (value.IsNull()) return out;
  if (!value.IsObject()) throw_bad_request("'" + param + "' must map server names to lists of tools", param);
  for (const auto& member : value.GetObject()) {
    const std::string server = text_field(member.name, param);
    out[server] = string_list(member.value, param + "." + server);
  }
  return out;
}

bool empty_value(const rapidjson::Value& value) {
  return value.IsNull() || (value.IsArray() && value.Empty()) || (value.IsObject() && value.ObjectEmpty()) ||
         (value.IsString() && value.GetStringLength() == 0);
}

}  // namespace

void apply_object_permission(const BodyReader& body, std::optional<core::McpPermission>& permission) {
  if (body.is_null(kField)) {
    permission.reset();
    return;
  }
  const auto* value = body.raw(kField);
  if (!value) return;
  if (!value->IsObject()) throw_bad_request("'object_permission' must be an object", kField);
  core::McpPermission mcp;
  for (const auto& member : value->GetObject()) {
    const std::string name(member.name.GetString(), member.name.GetStringLength());
    const std::string param = std::string(kField) + "." + name;
    if (name == "mcp_servers") {
      mcp.servers = string_list(member.value, param);
    } else if (name == "mcp_access_groups") {
      mcp.access_groups = string_list(member.value, param);
    } else if (name == "mcp_tool_permissions") {
      mcp.tool_permissions = tool_lists(member.value, param);
    } else if (std::find(std::begin(kIgnored), std::end(kIgnored), name) == std::end(kIgnored) &&
               !empty_value(member.value)) {
      throw_bad_request(
          "'" + param + "' sets a restriction Tollgate does not enforce; remove it (null or empty is accepted)", param);
    }
  }
  const bool sets_nothing = mcp.servers.empty() && mcp.access_groups.empty() && mcp.tool_permissions.empty();
  if (sets_nothing) {
    permission.reset();
  } else {
    permission = std::move(mcp);
  }
}

}  // namespace tollgate::api
