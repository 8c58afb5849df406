#include "persistence/json_columns.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "persistence/errors.h"

namespace tollgate::persistence {
namespace {

rapidjson::Document parse(std::string_view json) {
  rapidjson::Document document;
  document.Parse(json.data(), json.size());
  return document;
}

void write_strings(rapidjson::Writer<rapidjson::StringBuffer>& writer, const std::vector<std::string>& values) {
  writer.StartArray();
  for (const auto& value : values) writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  writer.EndArray();
}

std::vector<std::string> read_strings(const rapidjson::Value& value) {
  std::vector<std::string> values;
  if (!value.IsArray()) return values;
  for (const auto& item : value.GetArray()) {
    if (item.IsString()) values.emplace_back(item.GetString(), item.GetStringLength());
  }
  return values;
}

}  // namespace

std::string string_list_to_json(const std::vector<std::string>& values) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  write_strings(writer, values);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::vector<std::string> string_list_from_json(std::string_view json) {
  const auto document = parse(json);
  if (document.HasParseError()) return {};
  return read_strings(document);
}

std::string int_map_to_json(const std::map<std::string, std::int64_t>& values) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  for (const auto& [name, value] : values) {
    writer.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    writer.Int64(value);
  }
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::map<std::string, std::int64_t> int_map_from_json(std::string_view json) {
  std::map<std::string, std::int64_t> values;
  const auto document = parse(json);
  if (document.HasParseError() || !document.IsObject()) return values;
  for (const auto& member : document.GetObject()) {
    if (member.value.IsInt64()) {
      values[std::string(member.name.GetString(), member.name.GetStringLength())] = member.value.GetInt64();
    }
  }
  return values;
}

std::string string_map_to_json(const core::ModelAliases& values) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  for (const auto& [name, value] : values) {
    writer.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  }
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

core::ModelAliases string_map_from_json(std::string_view json) {
  core::ModelAliases values;
  const auto document = parse(json);
  if (document.HasParseError() || !document.IsObject()) return values;
  for (const auto& member : document.GetObject()) {
    if (member.value.IsString()) {
      values[std::string(member.name.GetString(), member.name.GetStringLength())] =
          std::string(member.value.GetString(), member.value.GetStringLength());
    }
  }
  return values;
}

std::string mcp_permission_to_json(const core::McpPermission& permission) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("mcp_servers");
  write_strings(writer, permission.servers);
  writer.Key("mcp_access_groups");
  write_strings(writer, permission.access_groups);
  writer.Key("mcp_tool_permissions");
  writer.StartObject();
  for (const auto& [server, tools] : permission.tool_permissions) {
    writer.Key(server.data(), static_cast<rapidjson::SizeType>(server.size()));
    write_strings(writer, tools);
  }
  writer.EndObject();
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::optional<core::McpPermission> mcp_permission_from_json(const std::optional<std::string>& json) {
  if (!json) return std::nullopt;
  const auto document = parse(*json);
  core::McpPermission permission;
  if (document.HasParseError() || !document.IsObject()) return permission;  // set, but grants nothing
  if (const auto it = document.FindMember("mcp_servers"); it != document.MemberEnd()) {
    permission.servers = read_strings(it->value);
  }
  if (const auto it = document.FindMember("mcp_access_groups"); it != document.MemberEnd()) {
    permission.access_groups = read_strings(it->value);
  }
  if (const auto it = document.FindMember("mcp_tool_permissions"); it != document.MemberEnd() && it->value.IsObject()) {
    for (const auto& member : it->value.GetObject()) {
      permission.tool_permissions[std::string(member.name.GetString(), member.name.GetStringLength())] =
          read_strings(member.value);
    }
  }
  return permission;
}

std::string checked_json_object(const std::string& json, const char* field) {
  if (json.empty()) return "{}";
  const auto document = parse(json);
  if (document.HasParseError() || !document.IsObject()) {
    throw StoreError(std::string(field) + " must be a JSON object");
  }
  return json;
}

std::string own_json_object(const std::string& json, const char* field) {
  if (json.empty()) return "{}";
  if (json.front() != '{' || json.back() != '}') throw StoreError(std::string(field) + " must be a JSON object");
  return json;
}

}  // namespace tollgate::persistence
