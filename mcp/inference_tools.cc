#include "mcp/inference_tools.h"

#include <string_view>

namespace tollgate::mcp {

std::optional<std::string> mcp_tool_in_request(const rapidjson::Value& request) {
  if (!request.IsObject()) return std::nullopt;
  const auto tools = request.FindMember("tools");
  if (tools == request.MemberEnd() || !tools->value.IsArray()) return std::nullopt;
  for (rapidjson::SizeType i = 0; i < tools->value.Size(); ++i) {
    const auto& tool = tools->value[i];
    if (!tool.IsObject()) continue;
    const auto type = tool.FindMember("type");
    if (type != tool.MemberEnd() && type->value.IsString() && std::string_view(type->value.GetString()) == "mcp") {
      return "tools[" + std::to_string(i) + "]";
    }
  }
  return std::nullopt;
}

}  // namespace tollgate::mcp
