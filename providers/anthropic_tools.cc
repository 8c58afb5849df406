#include "providers/anthropic_tools.h"

#include "providers/json_util.h"

namespace tollgate::providers {
namespace {

using rapidjson::Value;
using Alloc = rapidjson::Document::AllocatorType;

// A tool without parameters still needs a schema: both APIs want an object schema.
Value schema_or_empty(const Value* schema, Alloc& a) {
  Value out;
  if (schema && schema->IsObject()) {
    out.CopyFrom(*schema, a);
  } else {
    out.SetObject();
    out.AddMember("type", "object", a);
    out.AddMember("properties", Value(rapidjson::kObjectType), a);
  }
  return out;
}

core::Status anthropic_tool(const Value& tool, Value& tools, Alloc& a) {
  const auto type = json::string_or(tool, "type", "function");
  if (type != "function")
    return untranslatable_request("tool type '" + std::string(type) + "' is not supported for an Anthropic model");
  const auto* fn = json::member(tool, "function");
  const auto name = fn ? json::string_or(*fn, "name") : std::string_view{};
  if (name.empty()) return untranslatable_request("each tool needs a function with a name");
  Value t(rapidjson::kObjectType);
  t.AddMember("name", json::string_value(name, a), a);
  if (const auto description = json::string_or(*fn, "description"); !description.empty()) {
    t.AddMember("description", json::string_value(description, a), a);
  }
  t.AddMember("input_schema", schema_or_empty(json::member(*fn, "parameters"), a), a);
  tools.PushBack(t, a);
  return {};
}

// tool_choice → the Anthropic object, or an error. "none" is handled by the caller.
core::Status anthropic_tool_choice(const Value& choice, Value& out, Alloc& a) {
  out.SetObject();
  if (choice.IsString()) {
    const std::string_view s(choice.GetString(), choice.GetStringLength());
    if (s != "auto" && s != "required")
      return untranslatable_request("unsupported tool_choice '" + std::string(s) + "'");
    out.AddMember("type", rapidjson::StringRef(s == "required" ? "any" : "auto"), a);
    return {};
  }
  const auto* fn = json::member(choice, "function");
  const auto name = fn ? json::string_or(*fn, "name") : std::string_view{};
  if (json::string_or(choice, "type") != "function" || name.empty()) {
    return untranslatable_request(
        "tool_choice must be \"auto\", \"required\", \"none\" or {\"type\":\"function\",\"function\":{\"name\":...}}");
  }
  out.AddMember("type", "tool", a);
  out.AddMember("name", json::string_value(name, a), a);
  return {};
}

core::Status openai_tool(const Value& tool, Value& tools, Alloc& a) {
  // Anthropic server tools (web_search_20250305, bash_20250124, …) run on Anthropic's side;
  // an OpenAI-compatible model has nothing to run them with.
  const auto type = json::string_or(tool, "type", "custom");
  if (type != "custom")
    return untranslatable_request("tool type '" + std::string(type) + "' is only available on Anthropic models");
  const auto name = json::string_or(tool, "name");
  if (name.empty()) return untranslatable_request("each tool needs a name");
  Value fn(rapidjson::kObjectType);
  fn.AddMember("name", json::string_value(name, a), a);
  if (const auto description = json::string_or(tool, "description"); !description.empty()) {
    fn.AddMember("description", json::string_value(description, a), a);
  }
  fn.AddMember("parameters", schema_or_empty(json::member(tool, "input_schema"), a), a);
  Value t(rapidjson::kObjectType);
  t.AddMember("type", "function", a);
  t.AddMember("function", fn, a);
  tools.PushBack(t, a);
  return {};
}

core::Status openai_tool_choice(const Value& choice, Value& out, Alloc& a) {
  const auto type = json::string_or(choice, "type");
  if (type == "auto" || type == "any" || type == "none") {
    out.SetString(rapidjson::StringRef(type == "any" ? "required" : type == "none" ? "none" : "auto"));
    return {};
  }
  const auto name = json::string_or(choice, "name");
  if (type != "tool" || name.empty()) {
    return untranslatable_request("tool_choice.type must be \"auto\", \"any\", \"none\" or \"tool\" (with a name)");
  }
  Value fn(rapidjson::kObjectType);
  fn.AddMember("name", json::string_value(name, a), a);
  out.SetObject();
  out.AddMember("type", "function", a);
  out.AddMember("function", fn, a);
  return {};
}

}  // namespace

core::Status add_anthropic_tools(const Value& request, bool history_has_tool_blocks, Value& out, Alloc& a) {
  const auto* tools = json::present(request, "tools");
  if (tools && !tools->IsArray()) return untranslatable_request("'tools' must be an array");
  if (!tools || tools->Empty()) return {};  // a tool_choice without tools has nothing to choose
  const auto* choice = json::present(request, "tool_choice");
  const bool none = choice && choice->IsString() && std::string_view(choice->GetString()) == "none";
  // "none" is best said by sending no tools: every Anthropic-compatible upstream understands
  // that. Anthropic refuses tool_use/tool_result blocks without tool definitions, though, so
  // a conversation that already used tools keeps them with {"type":"none"}.
  if (none && !history_has_tool_blocks) return {};

  Value mapped(rapidjson::kArrayType);
  for (const auto& tool : tools->GetArray()) {
    if (auto status = anthropic_tool(tool, mapped, a); !status) return status;
  }
  out.AddMember("tools", mapped, a);

  Value mapped_choice;
  if (none) {
    mapped_choice.SetObject();
    mapped_choice.AddMember("type", "none", a);
  } else if (choice) {
    if (auto status = anthropic_tool_choice(*choice, mapped_choice, a); !status) return status;
  }
  if (!none && !json::bool_or(request, "parallel_tool_calls", true)) {
    if (mapped_choice.IsNull()) {
      mapped_choice.SetObject();
      mapped_choice.AddMember("type", "auto", a);
    }
    mapped_choice.AddMember("disable_parallel_tool_use", true, a);
  }
  if (!mapped_choice.IsNull()) out.AddMember("tool_choice", mapped_choice, a);
  return {};
}

core::Status add_openai_tools(const Value& request, Value& out, Alloc& a) {
  const auto* tools = json::present(request, "tools");
  if (tools && !tools->IsArray()) return untranslatable_request("'tools' must be an array");
  if (!tools || tools->Empty()) return {};  // OpenAI refuses a tool_choice without tools
  Value mapped(rapidjson::kArrayType);
  for (const auto& tool : tools->GetArray()) {
    if (auto status = openai_tool(tool, mapped, a); !status) return status;
  }
  out.AddMember("tools", mapped, a);
  const auto* choice = json::present(request, "tool_choice");
  if (!choice) return {};
  if (!choice->IsObject()) return untranslatable_request("'tool_choice' must be an object");
  Value mapped_choice;
  if (auto status = openai_tool_choice(*choice, mapped_choice, a); !status) return status;
  out.AddMember("tool_choice", mapped_choice, a);
  if (json::bool_or(*choice, "disable_parallel_tool_use") && json::string_or(*choice, "type") != "none") {
    out.AddMember("parallel_tool_calls", false, a);
  }
  return {};
}

}  // namespace tollgate::providers
