#include "api/responses_fields.h"

#include <string>
#include <string_view>

#include "providers/json_util.h"

namespace tollgate::api {
namespace {

using providers::json::present;

core::Status validate_tools(const rapidjson::Value& tools) {
  if (!tools.IsArray()) return core::bad_request("'tools' must be an array", "tools");
  for (rapidjson::SizeType i = 0; i < tools.Size(); ++i) {
    const auto& tool = tools[i];
    const std::string param = "tools[" + std::to_string(i) + "].type";
    const auto* type = tool.IsObject() ? present(tool, "type") : nullptr;
    if (type == nullptr || !type->IsString()) return core::bad_request("Each tool needs a string 'type'", param);
    const std::string_view name(type->GetString(), type->GetStringLength());
    if (name != "function" && name != "custom") {
      return core::bad_request("Tools of type \"" + std::string(name) +
                                   "\" run inside the provider, with fees and retrieved tokens that cannot be "
                                   "bounded before the call, so budgets could not be enforced: only \"function\" "
                                   "and \"custom\" tools are supported on /v1/responses",
                               param);
    }
  }
  return {};
}

}  // namespace

core::Status validate_responses_fields(const rapidjson::Value& request) {
  const auto* input = present(request, "input");
  if (input == nullptr && present(request, "prompt") == nullptr) {
    return core::bad_request("'input' is required", "input");
  }
  if (input != nullptr && !input->IsString() && !input->IsArray()) {
    return core::bad_request("'input' must be a string or an array of input items", "input");
  }
  if (const auto* background = present(request, "background"); background != nullptr && background->IsTrue()) {
    return core::bad_request(
        "Background responses are not supported: their usage arrives after the response, so their cost could not "
        "be charged to the budget",
        "background");
  }
  if (const auto* conversation = present(request, "conversation"); conversation != nullptr && !conversation->IsNull()) {
    // Unlike a previous_response_id, a conversation id has no owner the gateway records: every
    // key sharing the provider account could continue — and so read — any other key's.
    return core::bad_request(
        "'conversation' is not supported through the gateway: conversations are not owned per key, so one key "
        "could read another's; chain with previous_response_id instead",
        "conversation");
  }
  if (const auto* tools = present(request, "tools")) return validate_tools(*tools);
  return {};
}

}  // namespace tollgate::api
