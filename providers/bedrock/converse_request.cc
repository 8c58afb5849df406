#include "providers/bedrock/converse_request.h"

#include <string>

#include "providers/json_util.h"

namespace tollgate::providers::bedrock {
namespace {

using Alloc = rapidjson::Document::AllocatorType;
using rapidjson::Value;

core::ApiError refuse(std::string message) { return untranslatable_request("Bedrock Converse: " + message); }

Value text_block(std::string_view text, Alloc& a) {
  Value block(rapidjson::kObjectType);
  block.AddMember("text", json::string_value(text, a), a);
  return block;
}

// "image/png" → "png": the formats Converse accepts.
std::string_view image_format(std::string_view media_type) {
  for (std::string_view format : {"png", "jpeg", "gif", "webp"}) {
    if (media_type == "image/" + std::string(format)) return format;
  }
  return {};
}

core::Result<Value> image_block(const Value& block, Alloc& a) {
  const Value* source = json::member(block, "source");
  if (source == nullptr || json::string_or(*source, "type") != "base64") {
    return refuse("images must be inline base64 data (Converse does not fetch image URLs)");
  }
  const auto format = image_format(json::string_or(*source, "media_type"));
  if (format.empty()) return refuse("image media type must be image/png, image/jpeg, image/gif or image/webp");
  Value bytes(rapidjson::kObjectType);
  bytes.AddMember("bytes", json::string_value(json::string_or(*source, "data"), a), a);
  Value image(rapidjson::kObjectType);
  image.AddMember("format", json::string_value(format, a), a);
  image.AddMember("source", bytes, a);
  Value out(rapidjson::kObjectType);
  out.AddMember("image", image, a);
  return out;
}

core::Result<Value> tool_result_block(const Value& block, Alloc& a) {
  Value content(rapidjson::kArrayType);
  const Value* given = json::member(block, "content");
  if (given != nullptr && given->IsString()) {
    content.PushBack(text_block({given->GetString(), given->GetStringLength()}, a), a);
  } else if (given != nullptr && given->IsArray()) {
    for (const auto& part : given->GetArray()) {
      const auto type = json::string_or(part, "type");
      if (type == "text") {
        content.PushBack(text_block(json::string_or(part, "text"), a), a);
      } else if (type == "image") {
        auto image = image_block(part, a);
        if (!image) return std::move(image).error();
        content.PushBack(std::move(image).value(), a);
      } else {
        return refuse("tool_result content of type '" + std::string(type) + "' is not supported");
      }
    }
  }
  if (content.Empty()) content.PushBack(text_block("", a), a);
  Value result(rapidjson::kObjectType);
  result.AddMember("toolUseId", json::string_value(json::string_or(block, "tool_use_id"), a), a);
  result.AddMember("content", content, a);
  result.AddMember("status", rapidjson::StringRef(json::bool_or(block, "is_error") ? "error" : "success"), a);
  Value out(rapidjson::kObjectType);
  out.AddMember("toolResult", result, a);
  return out;
}

core::Result<Value> converse_block(const Value& block, Alloc& a) {
  const auto type = json::string_or(block, "type");
  if (type == "text") return text_block(json::string_or(block, "text"), a);
  if (type == "image") return image_block(block, a);
  if (type == "tool_use") {
    Value use(rapidjson::kObjectType);
    use.AddMember("toolUseId", json::string_value(json::string_or(block, "id"), a), a);
    use.AddMember("name", json::string_value(json::string_or(block, "name"), a), a);
    Value input(rapidjson::kObjectType);
    if (const Value* given = json::member(block, "input"); given != nullptr && given->IsObject())
      input.CopyFrom(*given, a);
    use.AddMember("input", input, a);
    Value out(rapidjson::kObjectType);
    out.AddMember("toolUse", use, a);
    return out;
  }
  if (type == "tool_result") return tool_result_block(block, a);
  return refuse("content blocks of type '" + std::string(type) + "' are not supported");
}

core::Result<Value> converse_messages(const Value& request, Alloc& a) {
  const Value* messages = json::member(request, "messages");
  if (messages == nullptr || !messages->IsArray()) return refuse("'messages' must be an array");
  Value out(rapidjson::kArrayType);
  for (const auto& message : messages->GetArray()) {
    const auto role = json::string_or(message, "role");
    if (role != "user" && role != "assistant") return refuse("message role must be user or assistant");
    Value content(rapidjson::kArrayType);
    const Value* given = json::member(message, "content");
    if (given != nullptr && given->IsString()) {
      content.PushBack(text_block({given->GetString(), given->GetStringLength()}, a), a);
    } else if (given != nullptr && given->IsArray()) {
      for (const auto& block : given->GetArray()) {
        auto converted = converse_block(block, a);
        if (!converted) return std::move(converted).error();
        content.PushBack(std::move(converted).value(), a);
      }
    } else {
      return refuse("message content must be a string or an array of blocks");
    }
    Value m(rapidjson::kObjectType);
    m.AddMember("role", json::string_value(role, a), a);
    m.AddMember("content", content, a);
    out.PushBack(m, a);
  }
  return out;
}

core::Result<Value> converse_system(const Value& system, Alloc& a) {
  Value out(rapidjson::kArrayType);
  if (system.IsString()) {
    out.PushBack(text_block({system.GetString(), system.GetStringLength()}, a), a);
    return out;
  }
  if (!system.IsArray()) return refuse("'system' must be a string or text blocks");
  for (const auto& block : system.GetArray()) {
    if (json::string_or(block, "type") != "text") return refuse("'system' blocks must be text");
    out.PushBack(text_block(json::string_or(block, "text"), a), a);
  }
  return out;
}

void copy_number(const Value& from, const char* name, Value& to, const char* as, Alloc& a) {
  if (const Value* v = json::present(from, name); v != nullptr && v->IsNumber()) {
    Value copy;
    copy.CopyFrom(*v, a);
    to.AddMember(rapidjson::StringRef(as), copy, a);
  }
}

Value inference_config(const Value& request, Alloc& a) {
  Value config(rapidjson::kObjectType);
  copy_number(request, "max_tokens", config, "maxTokens", a);
  copy_number(request, "temperature", config, "temperature", a);
  copy_number(request, "top_p", config, "topP", a);
  if (const Value* stops = json::present(request, "stop_sequences"); stops != nullptr && stops->IsArray()) {
    Value copy;
    copy.CopyFrom(*stops, a);
    config.AddMember("stopSequences", copy, a);
  }
  return config;
}

core::Result<Value> tool_config(const Value& request, Alloc& a) {
  const Value* tools = json::present(request, "tools");
  if (tools == nullptr) return Value(rapidjson::kNullType);
  if (!tools->IsArray()) return refuse("'tools' must be an array");
  Value specs(rapidjson::kArrayType);
  for (const auto& tool : tools->GetArray()) {
    Value spec(rapidjson::kObjectType);
    spec.AddMember("name", json::string_value(json::string_or(tool, "name"), a), a);
    if (const auto description = json::string_or(tool, "description"); !description.empty()) {
      spec.AddMember("description", json::string_value(description, a), a);
    }
    Value schema(rapidjson::kObjectType);
    if (const Value* given = json::member(tool, "input_schema"); given != nullptr) {
      schema.CopyFrom(*given, a);
    } else {
      schema.AddMember("type", "object", a);
    }
    Value input(rapidjson::kObjectType);
    input.AddMember("json", schema, a);
    spec.AddMember("inputSchema", input, a);
    Value entry(rapidjson::kObjectType);
    entry.AddMember("toolSpec", spec, a);
    specs.PushBack(entry, a);
  }
  Value config(rapidjson::kObjectType);
  config.AddMember("tools", specs, a);
  if (const Value* choice = json::present(request, "tool_choice"); choice != nullptr && choice->IsObject()) {
    const auto type = json::string_or(*choice, "type");
    Value converse_choice(rapidjson::kObjectType);
    if (type == "auto" || type == "any") {
      converse_choice.AddMember(json::string_value(type, a), Value(rapidjson::kObjectType), a);
    } else if (type == "tool") {
      Value named(rapidjson::kObjectType);
      named.AddMember("name", json::string_value(json::string_or(*choice, "name"), a), a);
      converse_choice.AddMember("tool", named, a);
    }
    if (!converse_choice.ObjectEmpty()) config.AddMember("toolChoice", converse_choice, a);
  }
  return config;
}

}  // namespace

Translation converse_request_from_anthropic(const rapidjson::Value& request) {
  if (!request.IsObject()) return refuse("the request must be a JSON object");
  rapidjson::Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  auto messages = converse_messages(request, a);
  if (!messages) return std::move(messages).error();
  out.AddMember("messages", std::move(messages).value(), a);
  if (const Value* system = json::present(request, "system")) {
    auto converted = converse_system(*system, a);
    if (!converted) return std::move(converted).error();
    out.AddMember("system", std::move(converted).value(), a);
  }
  Value config = inference_config(request, a);
  if (!config.ObjectEmpty()) out.AddMember("inferenceConfig", config, a);
  auto tools = tool_config(request, a);
  if (!tools) return std::move(tools).error();
  if (tools->IsObject()) out.AddMember("toolConfig", std::move(tools).value(), a);
  return json::serialize(out);
}

}  // namespace tollgate::providers::bedrock
