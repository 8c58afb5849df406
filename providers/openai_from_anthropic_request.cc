#include "providers/openai_from_anthropic_request.h"

#include <string>

#include "providers/anthropic_tools.h"
#include "providers/data_url.h"
#include "providers/json_util.h"

namespace tollgate::providers {
namespace {

using rapidjson::Value;
using Alloc = rapidjson::Document::AllocatorType;

// A string, or the text blocks of a block array joined with `separator`.
std::string blocks_text(const Value& content, std::string_view separator) {
  if (content.IsString()) return {content.GetString(), content.GetStringLength()};
  std::string out;
  if (!content.IsArray()) return out;
  bool first = true;
  for (const auto& block : content.GetArray()) {
    if (json::string_or(block, "type") != "text") continue;
    if (!first) out += separator;
    out += json::string_or(block, "text");
    first = false;
  }
  return out;
}

Value text_part(std::string_view text, Alloc& a) {
  Value part(rapidjson::kObjectType);
  part.AddMember("type", "text", a);
  part.AddMember("text", json::string_value(text, a), a);
  return part;
}

core::Status image_part(const Value& block, Value& parts, Alloc& a) {
  const auto* source = json::member(block, "source");
  const auto type = source ? json::string_or(*source, "type") : std::string_view{};
  std::string url;
  if (type == "base64") {
    url = base64_data_url(json::string_or(*source, "media_type"), json::string_or(*source, "data"));
  } else if (type == "url") {
    url = std::string(json::string_or(*source, "url"));
  } else {
    return untranslatable_request("image blocks need a base64 or url source for an OpenAI-compatible model");
  }
  Value image(rapidjson::kObjectType);
  image.AddMember("url", json::string_value(url, a), a);
  Value part(rapidjson::kObjectType);
  part.AddMember("type", "image_url", a);
  part.AddMember("image_url", image, a);
  parts.PushBack(part, a);
  return {};
}

// A base64 document (a PDF) → a file part; a plain-text document → its text.
core::Status document_part(const Value& block, Value& parts, Alloc& a) {
  const auto* source = json::member(block, "source");
  const auto type = source ? json::string_or(*source, "type") : std::string_view{};
  if (type == "text") {
    parts.PushBack(text_part(json::string_or(*source, "data"), a), a);
    return {};
  }
  if (type != "base64")
    return untranslatable_request("document blocks need a base64 or text source for an OpenAI-compatible model");
  Value file(rapidjson::kObjectType);
  const auto url = base64_data_url(json::string_or(*source, "media_type"), json::string_or(*source, "data"));
  file.AddMember("file_data", json::string_value(url, a), a);
  if (const auto title = json::string_or(block, "title"); !title.empty()) {
    file.AddMember("filename", json::string_value(title, a), a);
  }
  Value part(rapidjson::kObjectType);
  part.AddMember("type", "file", a);
  part.AddMember("file", file, a);
  parts.PushBack(part, a);
  return {};
}

// tool_result → a role "tool" message. OpenAI tool messages carry text only: images in a
// tool result cannot be passed on.
core::Status tool_message(const Value& block, Value& messages, Alloc& a) {
  const auto id = json::string_or(block, "tool_use_id");
  if (id.empty()) return untranslatable_request("tool_result blocks need a tool_use_id");
  Value m(rapidjson::kObjectType);
  m.AddMember("role", "tool", a);
  m.AddMember("tool_call_id", json::string_value(id, a), a);
  const auto* content = json::present(block, "content");
  m.AddMember("content", json::string_value(content ? blocks_text(*content, "\n") : std::string(), a), a);
  messages.PushBack(m, a);
  return {};
}

core::Status map_user(const Value& content, Value& messages, Alloc& a) {
  if (content.IsString()) {
    Value m(rapidjson::kObjectType);
    m.AddMember("role", "user", a);
    m.AddMember("content", Value(content, a), a);
    messages.PushBack(m, a);
    return {};
  }
  if (!content.IsArray())
    return untranslatable_request("message content must be a string or an array of content blocks");
  Value parts(rapidjson::kArrayType);
  for (const auto& block : content.GetArray()) {
    const auto type = json::string_or(block, "type");
    core::Status status;
    if (type == "tool_result") {
      // Tool results answer the previous assistant turn, so they precede the user's own words.
      status = tool_message(block, messages, a);
    } else if (type == "text") {
      parts.PushBack(text_part(json::string_or(block, "text"), a), a);
    } else if (type == "image") {
      status = image_part(block, parts, a);
    } else if (type == "document") {
      status = document_part(block, parts, a);
    } else {
      status = untranslatable_request("content block type '" + std::string(type) +
                                      "' is not supported for an OpenAI-compatible model");
    }
    if (!status) return status;
  }
  if (!parts.Empty()) {
    Value m(rapidjson::kObjectType);
    m.AddMember("role", "user", a);
    m.AddMember("content", parts, a);
    messages.PushBack(m, a);
  }
  return {};
}

Value tool_call(const Value& block, Alloc& a) {
  Value fn(rapidjson::kObjectType);
  fn.AddMember("name", json::string_value(json::string_or(block, "name"), a), a);
  const auto* input = json::member(block, "input");
  fn.AddMember("arguments", json::string_value(input ? json::serialize(*input) : std::string("{}"), a), a);
  Value call(rapidjson::kObjectType);
  call.AddMember("id", json::string_value(json::string_or(block, "id"), a), a);
  call.AddMember("type", "function", a);
  call.AddMember("function", fn, a);
  return call;
}

core::Status map_assistant(const Value& content, Value& messages, Alloc& a) {
  Value m(rapidjson::kObjectType);
  m.AddMember("role", "assistant", a);
  if (content.IsString()) {
    m.AddMember("content", Value(content, a), a);
    messages.PushBack(m, a);
    return {};
  }
  if (!content.IsArray())
    return untranslatable_request("message content must be a string or an array of content blocks");
  std::string text;
  Value calls(rapidjson::kArrayType);
  for (const auto& block : content.GetArray()) {
    const auto type = json::string_or(block, "type");
    if (type == "text") {
      text += json::string_or(block, "text");  // Anthropic text blocks read as one text
    } else if (type == "tool_use") {
      if (json::string_or(block, "id").empty() || json::string_or(block, "name").empty()) {
        return untranslatable_request("tool_use blocks need an id and a name");
      }
      calls.PushBack(tool_call(block, a), a);
    }
    // thinking and server tool blocks are Anthropic's own: an OpenAI model cannot read them.
  }
  if (!text.empty() || calls.Empty()) {
    m.AddMember("content", json::string_value(text, a), a);
  } else {
    m.AddMember("content", Value(), a);  // OpenAI's shape for a turn made only of tool calls
  }
  if (!calls.Empty()) m.AddMember("tool_calls", calls, a);
  messages.PushBack(m, a);
  return {};
}

core::Status map_messages(const Value& request, Value& out, Alloc& a) {
  const auto* messages = json::member(request, "messages");
  if (!messages || !messages->IsArray()) return untranslatable_request("'messages' must be an array");
  Value mapped(rapidjson::kArrayType);
  if (const auto* system = json::present(request, "system")) {
    if (!system->IsString() && !system->IsArray())
      return untranslatable_request("'system' must be a string or an array of text blocks");
    if (const auto text = blocks_text(*system, "\n"); !text.empty()) {
      Value m(rapidjson::kObjectType);
      m.AddMember("role", "system", a);
      m.AddMember("content", json::string_value(text, a), a);
      mapped.PushBack(m, a);
    }
  }
  for (const auto& message : messages->GetArray()) {
    const auto role = json::string_or(message, "role");
    const auto* content = json::present(message, "content");
    if (!content) return untranslatable_request("every message needs content");
    core::Status status;
    if (role == "user") {
      status = map_user(*content, mapped, a);
    } else if (role == "assistant") {
      status = map_assistant(*content, mapped, a);
    } else {
      status =
          untranslatable_request("message role must be \"user\" or \"assistant\", not '" + std::string(role) + "'");
    }
    if (!status) return status;
  }
  out.AddMember("messages", mapped, a);
  return {};
}

core::Status map_parameters(const Value& request, Value& out, Alloc& a) {
  for (const char* field : {"temperature", "top_p"}) {
    const auto* v = json::present(request, field);
    if (!v) continue;
    if (!v->IsNumber()) return untranslatable_request("'" + std::string(field) + "' must be a number");
    out.AddMember(rapidjson::StringRef(field), Value(*v, a), a);
  }
  if (const auto* stop = json::present(request, "stop_sequences")) {
    if (!stop->IsArray()) return untranslatable_request("'stop_sequences' must be an array of strings");
    for (const auto& s : stop->GetArray()) {
      if (!s.IsString()) return untranslatable_request("'stop_sequences' must be an array of strings");
    }
    if (!stop->Empty()) out.AddMember("stop", Value(*stop, a), a);
  }
  if (const auto* stream = json::present(request, "stream")) {
    if (!stream->IsBool()) return untranslatable_request("'stream' must be a boolean");
    if (stream->GetBool()) {
      out.AddMember("stream", true, a);
      Value options(rapidjson::kObjectType);
      options.AddMember("include_usage", true, a);  // the only way to learn usage from a stream
      out.AddMember("stream_options", options, a);
    }
  }
  if (const auto* metadata = json::present(request, "metadata")) {
    if (const auto user = json::string_or(*metadata, "user_id"); !user.empty()) {
      out.AddMember("user", json::string_value(user, a), a);
    }
  }
  return {};
}

}  // namespace

// The client's max_tokens, else the gateway's written limit, under the deployment's field.
core::Status map_output_limit(const Value& request, std::string_view field,
                              const std::optional<OutputLimitWrite>& written_limit, Value& out, Alloc& a) {
  std::optional<std::int64_t> tokens;
  if (const auto* max = json::present(request, "max_tokens")) {
    if (!max->IsInt64() || max->GetInt64() <= 0)
      return untranslatable_request("'max_tokens' must be a positive integer");
    tokens = max->GetInt64();
  } else if (written_limit) {
    tokens = written_limit->tokens;
  }
  if (tokens) out.AddMember(json::string_value(field, a), Value(*tokens), a);
  return {};
}

Translation openai_chat_request_from_anthropic(const Value& request, std::string_view upstream_model,
                                               std::string_view limit_field,
                                               const std::optional<OutputLimitWrite>& written_limit,
                                               bool stream_usage) {
  if (!request.IsObject()) return untranslatable_request("the request body must be a JSON object");
  rapidjson::Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  out.AddMember("model", json::string_value(upstream_model, a), a);
  for (auto step : {map_messages, map_parameters, add_openai_tools}) {
    if (auto status = step(request, out, a); !status) return status.error();
  }
  if (auto status = map_output_limit(request, limit_field, written_limit, out, a); !status) return status.error();
  if (!stream_usage) out.RemoveMember("stream_options");  // only ever the one map_parameters added
  return json::serialize(out);
}

}  // namespace tollgate::providers
