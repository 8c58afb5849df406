#include "providers/gemini/gemini_request.h"

#include <map>
#include <string>

#include "providers/json_util.h"

namespace tollgate::providers::gemini {
namespace {

using Alloc = rapidjson::Document::AllocatorType;
using rapidjson::Value;
// tool_use id → function name: Gemini's functionResponse names the function, not the call.
using CallNames = std::map<std::string, std::string, std::less<>>;

core::ApiError refuse(std::string message) { return untranslatable_request("Gemini generateContent: " + message); }

Value text_part(std::string_view text, Alloc& a) {
  Value part(rapidjson::kObjectType);
  part.AddMember("text", json::string_value(text, a), a);
  return part;
}

core::Result<Value> image_part(const Value& block, Alloc& a) {
  const Value* source = json::member(block, "source");
  if (source == nullptr || json::string_or(*source, "type") != "base64") {
    return refuse("images must be inline base64 data");
  }
  Value inline_data(rapidjson::kObjectType);
  inline_data.AddMember("mimeType", json::string_value(json::string_or(*source, "media_type"), a), a);
  inline_data.AddMember("data", json::string_value(json::string_or(*source, "data"), a), a);
  Value part(rapidjson::kObjectType);
  part.AddMember("inlineData", inline_data, a);
  return part;
}

// The text of a tool_result's content (a string or text blocks).
core::Result<std::string> tool_result_text(const Value& block) {
  const Value* given = json::member(block, "content");
  if (given == nullptr) return std::string();
  if (given->IsString()) return std::string(given->GetString(), given->GetStringLength());
  std::string text;
  if (!given->IsArray()) return refuse("tool_result content must be a string or text blocks");
  for (const auto& part : given->GetArray()) {
    if (json::string_or(part, "type") != "text") return refuse("tool_result content must be text");
    if (!text.empty()) text += '\n';
    text += json::string_or(part, "text");
  }
  return text;
}

core::Result<Value> function_response_part(const Value& block, const CallNames& names, Alloc& a) {
  const auto id = json::string_or(block, "tool_use_id");
  const auto name = names.find(id);
  if (name == names.end()) return refuse("tool_result '" + std::string(id) + "' answers no earlier tool_use");
  auto text = tool_result_text(block);
  if (!text) return std::move(text).error();
  Value response(rapidjson::kObjectType);
  response.AddMember(rapidjson::StringRef(json::bool_or(block, "is_error") ? "error" : "content"),
                     json::string_value(*text, a), a);
  Value call(rapidjson::kObjectType);
  call.AddMember("name", json::string_value(name->second, a), a);
  call.AddMember("response", response, a);
  Value part(rapidjson::kObjectType);
  part.AddMember("functionResponse", call, a);
  return part;
}

Value function_call_part(const Value& block, CallNames& names, Alloc& a) {
  const auto name = json::string_or(block, "name");
  names[std::string(json::string_or(block, "id"))] = std::string(name);
  Value call(rapidjson::kObjectType);
  call.AddMember("name", json::string_value(name, a), a);
  Value args(rapidjson::kObjectType);
  if (const Value* input = json::member(block, "input"); input != nullptr && input->IsObject())
    args.CopyFrom(*input, a);
  call.AddMember("args", args, a);
  Value part(rapidjson::kObjectType);
  part.AddMember("functionCall", call, a);
  return part;
}

// A part for `block`, or null for a block that is dropped.
core::Result<Value> gemini_part(const Value& block, CallNames& names, Alloc& a) {
  const auto type = json::string_or(block, "type");
  if (type == "text") return text_part(json::string_or(block, "text"), a);
  if (type == "image") return image_part(block, a);
  if (type == "tool_use") return function_call_part(block, names, a);
  if (type == "tool_result") return function_response_part(block, names, a);
  if (type == "thinking" || type == "redacted_thinking") return Value(rapidjson::kNullType);
  return refuse("content blocks of type '" + std::string(type) + "' are not supported");
}

core::Result<Value> gemini_contents(const Value& request, Alloc& a) {
  const Value* messages = json::member(request, "messages");
  if (messages == nullptr || !messages->IsArray()) return refuse("'messages' must be an array");
  Value out(rapidjson::kArrayType);
  CallNames names;
  for (const auto& message : messages->GetArray()) {
    const auto role = json::string_or(message, "role");
    if (role != "user" && role != "assistant") return refuse("message role must be user or assistant");
    Value parts(rapidjson::kArrayType);
    const Value* given = json::member(message, "content");
    if (given != nullptr && given->IsString()) {
      parts.PushBack(text_part({given->GetString(), given->GetStringLength()}, a), a);
    } else if (given != nullptr && given->IsArray()) {
      for (const auto& block : given->GetArray()) {
        auto part = gemini_part(block, names, a);
        if (!part) return std::move(part).error();
        if (!part->IsNull()) parts.PushBack(std::move(part).value(), a);
      }
    } else {
      return refuse("message content must be a string or an array of blocks");
    }
    if (parts.Empty()) continue;
    Value content(rapidjson::kObjectType);
    content.AddMember("role", rapidjson::StringRef(role == "assistant" ? "model" : "user"), a);
    content.AddMember("parts", parts, a);
    out.PushBack(content, a);
  }
  return out;
}

core::Result<Value> system_instruction(const Value& system, Alloc& a) {
  Value parts(rapidjson::kArrayType);
  if (system.IsString()) {
    parts.PushBack(text_part({system.GetString(), system.GetStringLength()}, a), a);
  } else if (system.IsArray()) {
    for (const auto& block : system.GetArray()) {
      if (json::string_or(block, "type") != "text") return refuse("'system' blocks must be text");
      parts.PushBack(text_part(json::string_or(block, "text"), a), a);
    }
  } else {
    return refuse("'system' must be a string or text blocks");
  }
  Value out(rapidjson::kObjectType);
  out.AddMember("parts", parts, a);
  return out;
}

void copy_member(const Value& from, const char* name, Value& to, const char* as, Alloc& a) {
  if (const Value* v = json::present(from, name); v != nullptr && (v->IsNumber() || v->IsArray())) {
    Value copy;
    copy.CopyFrom(*v, a);
    to.AddMember(rapidjson::StringRef(as), copy, a);
  }
}

Value generation_config(const Value& request, Alloc& a) {
  Value config(rapidjson::kObjectType);
  copy_member(request, "max_tokens", config, "maxOutputTokens", a);
  copy_member(request, "temperature", config, "temperature", a);
  copy_member(request, "top_p", config, "topP", a);
  copy_member(request, "top_k", config, "topK", a);
  copy_member(request, "stop_sequences", config, "stopSequences", a);
  return config;
}

// Gemini's function parameters are an OpenAPI subset: it rejects these JSON Schema keys.
void strip_unsupported_schema_keys(Value& schema) {
  if (schema.IsObject()) {
    schema.RemoveMember("$schema");
    schema.RemoveMember("additionalProperties");
    for (auto& m : schema.GetObject()) strip_unsupported_schema_keys(m.value);
  } else if (schema.IsArray()) {
    for (auto& item : schema.GetArray()) strip_unsupported_schema_keys(item);
  }
}

core::Result<Value> function_declarations(const Value& tools, Alloc& a) {
  if (!tools.IsArray()) return refuse("'tools' must be an array");
  Value declarations(rapidjson::kArrayType);
  for (const auto& tool : tools.GetArray()) {
    Value declaration(rapidjson::kObjectType);
    declaration.AddMember("name", json::string_value(json::string_or(tool, "name"), a), a);
    if (const auto description = json::string_or(tool, "description"); !description.empty()) {
      declaration.AddMember("description", json::string_value(description, a), a);
    }
    if (const Value* schema = json::member(tool, "input_schema"); schema != nullptr && schema->IsObject()) {
      Value parameters;
      parameters.CopyFrom(*schema, a);
      strip_unsupported_schema_keys(parameters);
      // An object without properties is refused by Gemini; a function without parameters is not.
      if (const Value* props = json::member(parameters, "properties");
          props != nullptr && props->IsObject() && !props->ObjectEmpty()) {
        declaration.AddMember("parameters", parameters, a);
      }
    }
    declarations.PushBack(declaration, a);
  }
  Value entry(rapidjson::kObjectType);
  entry.AddMember("functionDeclarations", declarations, a);
  Value out(rapidjson::kArrayType);
  out.PushBack(entry, a);
  return out;
}

Value tool_config(const Value& choice, Alloc& a) {
  const auto type = json::string_or(choice, "type");
  Value calling(rapidjson::kObjectType);
  if (type == "auto") {
    calling.AddMember("mode", "AUTO", a);
  } else if (type == "any") {
    calling.AddMember("mode", "ANY", a);
  } else if (type == "none") {
    calling.AddMember("mode", "NONE", a);
  } else if (type == "tool") {
    calling.AddMember("mode", "ANY", a);
    Value names(rapidjson::kArrayType);
    names.PushBack(json::string_value(json::string_or(choice, "name"), a), a);
    calling.AddMember("allowedFunctionNames", names, a);
  } else {
    return Value(rapidjson::kNullType);
  }
  Value out(rapidjson::kObjectType);
  out.AddMember("functionCallingConfig", calling, a);
  return out;
}

}  // namespace

Translation generate_content_request_from_anthropic(const rapidjson::Value& request) {
  if (!request.IsObject()) return refuse("the request must be a JSON object");
  rapidjson::Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  auto contents = gemini_contents(request, a);
  if (!contents) return std::move(contents).error();
  out.AddMember("contents", std::move(contents).value(), a);
  if (const Value* system = json::present(request, "system")) {
    auto instruction = system_instruction(*system, a);
    if (!instruction) return std::move(instruction).error();
    out.AddMember("systemInstruction", std::move(instruction).value(), a);
  }
  Value config = generation_config(request, a);
  if (!config.ObjectEmpty()) out.AddMember("generationConfig", config, a);
  if (const Value* tools = json::present(request, "tools")) {
    auto declarations = function_declarations(*tools, a);
    if (!declarations) return std::move(declarations).error();
    out.AddMember("tools", std::move(declarations).value(), a);
  }
  if (const Value* choice = json::present(request, "tool_choice"); choice != nullptr && choice->IsObject()) {
    Value config_for_tools = tool_config(*choice, a);
    if (!config_for_tools.IsNull()) out.AddMember("toolConfig", config_for_tools, a);
  }
  return json::serialize(out);
}

}  // namespace tollgate::providers::gemini
