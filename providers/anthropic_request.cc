#include "providers/anthropic_request.h"

#include "providers/json_util.h"

namespace tollgate::providers {
namespace {

using rapidjson::Value;
using Alloc = rapidjson::Document::AllocatorType;

Value text_block(std::string_view text, Alloc& a) {
  Value block(rapidjson::kObjectType);
  block.AddMember("type", "text", a);
  block.AddMember("text", json::string_value(text, a), a);
  return block;
}

// data:image/png;base64,XXXX → base64 source; anything else → url source.
Value image_block(std::string_view url, Alloc& a) {
  Value source(rapidjson::kObjectType);
  constexpr std::string_view kData = "data:";
  const auto marker = url.find(";base64,");
  if (url.substr(0, kData.size()) == kData && marker != std::string_view::npos) {
    source.AddMember("type", "base64", a);
    source.AddMember("media_type", json::string_value(url.substr(kData.size(), marker - kData.size()), a), a);
    source.AddMember("data", json::string_value(url.substr(marker + 8), a), a);
  } else {
    source.AddMember("type", "url", a);
    source.AddMember("url", json::string_value(url, a), a);
  }
  Value block(rapidjson::kObjectType);
  block.AddMember("type", "image", a);
  block.AddMember("source", source, a);
  return block;
}

// Content (string or parts) → Anthropic blocks appended to `blocks`. Returns an error text.
std::string append_content(const Value& content, Value& blocks, Alloc& a) {
  if (content.IsString()) {
    if (content.GetStringLength() > 0) blocks.PushBack(text_block({content.GetString(), content.GetStringLength()}, a), a);
    return {};
  }
  if (content.IsNull()) return {};
  if (!content.IsArray()) return "message content must be a string or an array of parts";
  for (const auto& part : content.GetArray()) {
    const auto type = json::string_or(part, "type");
    if (type == "text") {
      blocks.PushBack(text_block(json::string_or(part, "text"), a), a);
    } else if (type == "image_url") {
      const auto* image = json::member(part, "image_url");
      std::string_view url;
      if (image && image->IsString()) url = {image->GetString(), image->GetStringLength()};
      else if (image) url = json::string_or(*image, "url");
      if (url.empty()) return "image_url part without a url";
      blocks.PushBack(image_block(url, a), a);
    } else {
      return "unsupported content part type '" + std::string(type) + "' for an Anthropic model";
    }
  }
  return {};
}

std::string content_text(const Value& content) {
  if (content.IsString()) return {content.GetString(), content.GetStringLength()};
  std::string out;
  if (content.IsArray()) {
    for (const auto& part : content.GetArray()) {
      if (json::string_or(part, "type") == "text") {
        if (!out.empty()) out += "\n";
        out += json::string_or(part, "text");
      }
    }
  }
  return out;
}

// Appends blocks to the last message when it has the same role, else starts a new message.
void append_message(Value& messages, const char* role, Value& blocks, Alloc& a) {
  if (blocks.Empty()) return;
  if (!messages.Empty()) {
    auto& last = messages[messages.Size() - 1];
    if (json::string_or(last, "role") == role) {
      for (auto& b : blocks.GetArray()) last["content"].PushBack(b, a);
      return;
    }
  }
  Value message(rapidjson::kObjectType);
  message.AddMember("role", rapidjson::StringRef(role), a);
  message.AddMember("content", blocks, a);
  messages.PushBack(message, a);
}

std::string tool_use_blocks(const Value& tool_calls, Value& blocks, Alloc& a) {
  if (!tool_calls.IsArray()) return "tool_calls must be an array";
  for (const auto& call : tool_calls.GetArray()) {
    const auto* fn = json::member(call, "function");
    if (!fn) return "tool call without a function";
    rapidjson::Document input;
    const auto args = json::string_or(*fn, "arguments", "{}");
    input.Parse(args.data(), args.size());
    if (input.HasParseError() || !input.IsObject()) {
      return "tool call arguments must be a JSON object, got: " + std::string(args.substr(0, 80));
    }
    Value block(rapidjson::kObjectType);
    block.AddMember("type", "tool_use", a);
    block.AddMember("id", json::string_value(json::string_or(call, "id"), a), a);
    block.AddMember("name", json::string_value(json::string_or(*fn, "name"), a), a);
    Value copy;
    copy.CopyFrom(input, a);
    block.AddMember("input", copy, a);
    blocks.PushBack(block, a);
  }
  return {};
}

Value tool_result_block(const Value& message, Alloc& a) {
  Value block(rapidjson::kObjectType);
  block.AddMember("type", "tool_result", a);
  block.AddMember("tool_use_id", json::string_value(json::string_or(message, "tool_call_id"), a), a);
  const auto* content = json::member(message, "content");
  block.AddMember("content", json::string_value(content ? content_text(*content) : std::string(), a), a);
  return block;
}

std::string map_tools(const Value& request, Value& out, Alloc& a) {
  const auto* tools = json::member(request, "tools");
  const auto* choice = json::member(request, "tool_choice");
  if (choice && choice->IsString() && std::string_view(choice->GetString()) == "none") {
    return {};  // Anthropic has no "none": sending no tools has the same effect
  }
  if (tools && tools->IsArray() && !tools->Empty()) {
    Value mapped(rapidjson::kArrayType);
    for (const auto& tool : tools->GetArray()) {
      const auto* fn = json::member(tool, "function");
      if (!fn) return "each tool needs a function";
      Value t(rapidjson::kObjectType);
      t.AddMember("name", json::string_value(json::string_or(*fn, "name"), a), a);
      if (const auto* d = json::member(*fn, "description"); d && d->IsString()) {
        t.AddMember("description", Value(*d, a), a);
      }
      Value schema;
      if (const auto* p = json::member(*fn, "parameters"); p && p->IsObject()) {
        schema.CopyFrom(*p, a);
      } else {
        schema.SetObject();
        schema.AddMember("type", "object", a);
      }
      t.AddMember("input_schema", schema, a);
      mapped.PushBack(t, a);
    }
    out.AddMember("tools", mapped, a);
  }
  if (choice) {
    Value c(rapidjson::kObjectType);
    if (choice->IsString()) {
      const std::string_view s(choice->GetString());
      c.AddMember("type", rapidjson::StringRef(s == "required" ? "any" : "auto"), a);
    } else if (const auto* fn = json::member(*choice, "function")) {
      c.AddMember("type", "tool", a);
      c.AddMember("name", json::string_value(json::string_or(*fn, "name"), a), a);
    } else {
      c.AddMember("type", "auto", a);
    }
    out.AddMember("tool_choice", c, a);
  }
  return {};
}

}  // namespace

Translation anthropic_messages_request(const rapidjson::Value& request, std::string_view upstream_model,
                                       std::int64_t default_max_tokens) {
  if (!request.IsObject()) return translation_error("request must be a JSON object");
  if (json::int_or(request, "n", 1) > 1) return translation_error("n > 1 is not supported by Anthropic models");
  const auto* messages = json::member(request, "messages");
  if (!messages || !messages->IsArray()) return translation_error("'messages' must be an array");

  rapidjson::Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  out.AddMember("model", json::string_value(upstream_model, a), a);
  std::int64_t max_tokens = json::int_or(request, "max_completion_tokens", 0);
  if (max_tokens <= 0) max_tokens = json::int_or(request, "max_tokens", 0);
  out.AddMember("max_tokens", max_tokens > 0 ? max_tokens : default_max_tokens, a);

  std::string system;
  Value mapped(rapidjson::kArrayType);
  for (const auto& message : messages->GetArray()) {
    const auto role = json::string_or(message, "role");
    const auto* content = json::member(message, "content");
    Value blocks(rapidjson::kArrayType);
    if (role == "system" || role == "developer") {
      if (content) {
        if (!system.empty()) system += "\n";
        system += content_text(*content);
      }
      continue;
    }
    if (role == "user") {
      if (content) {
        if (auto e = append_content(*content, blocks, a); !e.empty()) return translation_error(e);
      }
      append_message(mapped, "user", blocks, a);
    } else if (role == "assistant") {
      if (content) {
        if (auto e = append_content(*content, blocks, a); !e.empty()) return translation_error(e);
      }
      if (const auto* calls = json::member(message, "tool_calls")) {
        if (auto e = tool_use_blocks(*calls, blocks, a); !e.empty()) return translation_error(e);
      }
      append_message(mapped, "assistant", blocks, a);
    } else if (role == "tool") {
      blocks.PushBack(tool_result_block(message, a), a);
      append_message(mapped, "user", blocks, a);
    } else {
      return translation_error("unsupported message role '" + std::string(role) + "'");
    }
  }
  if (!system.empty()) out.AddMember("system", json::string_value(system, a), a);
  out.AddMember("messages", mapped, a);

  for (const char* field : {"temperature", "top_p", "stream"}) {
    if (const auto* v = json::member(request, field); v && !v->IsNull()) {
      out.AddMember(rapidjson::StringRef(field), Value(*v, a), a);
    }
  }
  if (const auto* stop = json::member(request, "stop"); stop && !stop->IsNull()) {
    Value sequences(rapidjson::kArrayType);
    if (stop->IsString()) {
      sequences.PushBack(Value(*stop, a), a);
    } else if (stop->IsArray()) {
      for (const auto& s : stop->GetArray()) {
        if (s.IsString()) sequences.PushBack(Value(s, a), a);
      }
    }
    out.AddMember("stop_sequences", sequences, a);
  }
  if (const auto user = json::string_or(request, "user"); !user.empty()) {
    Value metadata(rapidjson::kObjectType);
    metadata.AddMember("user_id", json::string_value(user, a), a);
    out.AddMember("metadata", metadata, a);
  }
  if (auto e = map_tools(request, out, a); !e.empty()) return translation_error(e);
  return Translation{json::serialize(out), {}};
}

}  // namespace tollgate::providers
