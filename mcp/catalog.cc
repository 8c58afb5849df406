#include "mcp/catalog.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/json_parse.h"
#include "mcp/protocol.h"

namespace tollgate::mcp {

const ToolEntry* ServerState::find_tool(std::string_view name) const {
  for (const auto& tool : tools) {
    if (tool.name == name) return &tool;
  }
  return nullptr;
}

const ServerState* Catalog::find(std::string_view name) const {
  for (const auto& server : servers) {
    if (server.config->name == name) return &server;
  }
  return nullptr;
}

bool read_tools_page(std::string_view result_json, std::vector<ToolEntry>& tools, std::string& next_cursor) {
  rapidjson::Document doc;
  if (core::parse_json(result_json, doc) || !doc.IsObject()) return false;
  auto list = doc.FindMember("tools");
  if (list == doc.MemberEnd() || !list->value.IsArray()) return false;
  for (auto& tool : list->value.GetArray()) {
    if (!tool.IsObject()) continue;
    auto name = tool.FindMember("name");
    if (name == tool.MemberEnd() || !name->value.IsString()) continue;
    ToolEntry entry;
    entry.name.assign(name->value.GetString(), name->value.GetStringLength());
    if (!valid_tool_name(entry.name)) continue;
    tool.EraseMember("name");  // keeps the order of the other members
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    tool.Accept(writer);
    std::string_view object(buffer.GetString(), buffer.GetSize());  // "{...}"
    entry.members = std::string(object.substr(1, object.size() - 2));
    tools.push_back(std::move(entry));
  }
  next_cursor.clear();
  auto cursor = doc.FindMember("nextCursor");
  if (cursor != doc.MemberEnd() && cursor->value.IsString()) next_cursor = cursor->value.GetString();
  return true;
}

}  // namespace tollgate::mcp
