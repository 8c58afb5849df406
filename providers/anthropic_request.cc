#include "providers/anthropic_request.h"

#include "providers/anthropic_tools.h"
#include "providers/data_url.h"
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

// {"type": <block_type>, "source": {"type":"base64","media_type":..,"data":..}}
Value base64_block(const char* block_type, const DataUrl& url, Alloc& a) {
  Value source(rapidjson::kObjectType);
  source.AddMember("type", "base64", a);
  source.AddMember("media_type", json::string_value(url.media_type, a), a);
  source.AddMember("data", json::string_value(url.data, a), a);
  Value block(rapidjson::kObjectType);
  block.AddMember("type", rapidjson::StringRef(block_type), a);
  block.AddMember("source", source, a);
  return block;
}

core::Status image_block(const Value& part, Value& blocks, Alloc& a) {
  // image_url is {"url": ..., "detail": ...}; a bare string is accepted too.
  const auto* image = json::member(part, "image_url");
  std::string_view url;
  if (image && image->IsString()) {
    url = {image->GetString(), image->GetStringLength()};
  } else if (image) {
    url = json::string_or(*image, "url");
  }
  if (const auto data = parse_base64_data_url(url)) {
    blocks.PushBack(base64_block("image", *data, a), a);
    return {};
  }
  if (is_data_url(url))
    return untranslatable_request("image data URLs must be base64-encoded (data:<media type>;base64,...)");
  if (!is_http_url(url)) return untranslatable_request("image_url.url must be an http(s) URL or a base64 data URL");
  Value source(rapidjson::kObjectType);
  source.AddMember("type", "url", a);
  source.AddMember("url", json::string_value(url, a), a);
  Value block(rapidjson::kObjectType);
  block.AddMember("type", "image", a);
  block.AddMember("source", source, a);
  blocks.PushBack(block, a);
  return {};
}

// {"type":"file","file":{"file_data":"data:application/pdf;base64,..."}} → a document block.
core::Status document_block(const Value& part, Value& blocks, Alloc& a) {
  const auto* file = json::member(part, "file");
  const auto data = parse_base64_data_url(file ? json::string_or(*file, "file_data") : std::string_view{});
  if (!data)
    return untranslatable_request(
        "file parts need file_data as a base64 data URL (uploaded file ids cannot be sent to an Anthropic model)");
  blocks.PushBack(base64_block("document", *data, a), a);
  return {};
}

// Content (a string or an array of parts) → Anthropic blocks appended to `blocks`.
core::Status append_content(const Value& content, Value& blocks, Alloc& a) {
  if (content.IsNull()) return {};
  if (content.IsString()) {
    // Anthropic refuses empty text blocks.
    if (content.GetStringLength() > 0)
      blocks.PushBack(text_block({content.GetString(), content.GetStringLength()}, a), a);
    return {};
  }
  if (!content.IsArray()) return untranslatable_request("message content must be a string or an array of parts");
  for (const auto& part : content.GetArray()) {
    const auto type = json::string_or(part, "type");
    core::Status status;
    if (type == "text" || type == "refusal") {
      const auto* text = json::member(part, type == "text" ? "text" : "refusal");
      if (!text || !text->IsString())
        return untranslatable_request("a " + std::string(type) + " part needs a string '" + std::string(type) + "'");
      if (text->GetStringLength() > 0) blocks.PushBack(text_block({text->GetString(), text->GetStringLength()}, a), a);
    } else if (type == "image_url") {
      status = image_block(part, blocks, a);
    } else if (type == "file") {
      status = document_block(part, blocks, a);
    } else {
      status = untranslatable_request("content part type '" + std::string(type) +
                                      "' is not supported for an Anthropic model");
    }
    if (!status) return status;
  }
  return {};
}

// The text of a system/developer message: a string, or its text parts joined.
std::string content_text(const Value& content) {
  if (content.IsString()) return {content.GetString(), content.GetStringLength()};
  std::string out;
  if (content.IsArray()) {
    for (const auto& part : content.GetArray()) {
      if (json::string_or(part, "type") != "text") continue;
      if (!out.empty()) out += "\n";
      out += json::string_or(part, "text");
    }
  }
  return out;
}

core::Status tool_use_block(const Value& call, Value& blocks, Alloc& a) {
  const auto* fn = json::member(call, "function");
  const auto name = fn ? json::string_or(*fn, "name") : std::string_view{};
  const auto id = json::string_or(call, "id");
  if (name.empty() || id.empty()) return untranslatable_request("each tool call needs an id and a function name");
  Value input;
  const auto* arguments = json::present(*fn, "arguments");
  if (arguments && arguments->IsObject()) {
    input.CopyFrom(*arguments, a);  // some clients send the object itself
  } else {
    const auto text = arguments && arguments->IsString()
                          ? std::string_view(arguments->GetString(), arguments->GetStringLength())
                          : std::string_view{};
    rapidjson::Document parsed;
    // Models call argument-less functions with "" as often as with "{}".
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      parsed.SetObject();
    } else if (!json::parse(text, parsed) || !parsed.IsObject()) {
      return untranslatable_request("the arguments of tool call '" + std::string(id) + "' are not a JSON object");
    }
    input.CopyFrom(parsed, a);
  }
  Value block(rapidjson::kObjectType);
  block.AddMember("type", "tool_use", a);
  block.AddMember("id", json::string_value(id, a), a);
  block.AddMember("name", json::string_value(name, a), a);
  block.AddMember("input", input, a);
  blocks.PushBack(block, a);
  return {};
}

core::Status tool_use_blocks(const Value& calls, Value& blocks, Alloc& a) {
  if (!calls.IsArray()) return untranslatable_request("tool_calls must be an array");
  for (const auto& call : calls.GetArray()) {
    if (auto status = tool_use_block(call, blocks, a); !status) return status;
  }
  return {};
}

core::Status tool_result_block(const Value& message, Value& blocks, Alloc& a) {
  const auto id = json::string_or(message, "tool_call_id");
  if (id.empty()) return untranslatable_request("a tool message needs a tool_call_id");
  Value block(rapidjson::kObjectType);
  block.AddMember("type", "tool_result", a);
  block.AddMember("tool_use_id", json::string_value(id, a), a);
  const auto* content = json::present(message, "content");
  if (content && content->IsArray()) {
    Value parts(rapidjson::kArrayType);  // tool results may hold text and images
    if (auto status = append_content(*content, parts, a); !status) return status;
    block.AddMember("content", parts, a);
  } else if (content && content->IsString()) {
    block.AddMember("content", Value(*content, a), a);
  } else if (content) {
    return untranslatable_request("tool message content must be a string or an array of parts");
  }
  blocks.PushBack(block, a);
  return {};
}

// Appends blocks to the last message when it has the same role, else starts a new message.
void append_message(Value& messages, const char* role, Value& blocks, Alloc& a) {
  if (blocks.Empty()) return;
  if (!messages.Empty()) {
    auto& last = messages[messages.Size() - 1];
    if (json::string_or(last, "role") == role) {
      auto& content = last["content"];  // built by this function: always present
      for (auto& b : blocks.GetArray()) content.PushBack(b, a);
      return;
    }
  }
  Value message(rapidjson::kObjectType);
  message.AddMember("role", rapidjson::StringRef(role), a);
  message.AddMember("content", blocks, a);
  messages.PushBack(message, a);
}

// Anthropic wants the tool_result blocks at the start of the user message that answers a
// tool_use turn; merging a user message into tool results may have put text before them.
void tool_results_first(Value& messages, Alloc& a) {
  for (auto& message : messages.GetArray()) {
    auto& content = message["content"];  // built by append_message: always an array
    Value ordered(rapidjson::kArrayType);
    for (auto& block : content.GetArray()) {
      if (json::string_or(block, "type") == "tool_result") ordered.PushBack(block, a);  // moves; leaves null
    }
    for (auto& block : content.GetArray()) {
      if (!block.IsNull()) ordered.PushBack(block, a);
    }
    content = ordered;
  }
}

struct MappedMessages {
  std::string system;
  bool has_tool_blocks = false;
};

core::Status map_message(const Value& message, Value& messages, MappedMessages& mapped, Alloc& a) {
  if (!message.IsObject()) return untranslatable_request("each message must be an object");
  const auto role = json::string_or(message, "role");
  const auto* content = json::present(message, "content");
  if (role == "system" || role == "developer") {
    const auto text = content ? content_text(*content) : std::string();
    if (!text.empty()) mapped.system += (mapped.system.empty() ? "" : "\n") + text;
    return {};
  }
  Value blocks(rapidjson::kArrayType);
  if (role == "tool") {
    mapped.has_tool_blocks = true;
    if (auto status = tool_result_block(message, blocks, a); !status) return status;
    append_message(messages, "user", blocks, a);
    return {};
  }
  if (role != "user" && role != "assistant") {
    return untranslatable_request("message role '" + std::string(role) + "' is not supported for an Anthropic model");
  }
  if (content) {
    if (auto status = append_content(*content, blocks, a); !status) return status;
  }
  if (const auto* calls = json::present(message, "tool_calls"); calls && role == "assistant") {
    mapped.has_tool_blocks = true;
    if (auto status = tool_use_blocks(*calls, blocks, a); !status) return status;
  }
  append_message(messages, role == "user" ? "user" : "assistant", blocks, a);
  return {};
}

core::Status add_max_tokens(const Value& request, std::int64_t default_max_tokens, Value& out, Alloc& a) {
  std::int64_t max_tokens = default_max_tokens;
  for (const char* field : {"max_tokens", "max_completion_tokens"}) {  // the newer name wins
    const auto* v = json::present(request, field);
    if (!v) continue;
    if (!v->IsInt64() || v->GetInt64() <= 0)
      return untranslatable_request("'" + std::string(field) + "' must be a positive integer");
    max_tokens = v->GetInt64();
  }
  out.AddMember("max_tokens", max_tokens, a);
  return {};
}

// Anthropic refuses empty and whitespace-only stop sequences; OpenAI clients often send "\n".
// Dropping them is the only way such a request can be served at all.
void add_stop_sequence(const Value& stop, Value& sequences, Alloc& a) {
  const std::string_view s(stop.GetString(), stop.GetStringLength());
  if (s.find_first_not_of(" \t\r\n\f\v") != std::string_view::npos) sequences.PushBack(Value(stop, a), a);
}

core::Status add_sampling(const Value& request, Value& out, Alloc& a) {
  for (const char* field : {"temperature", "top_p"}) {
    const auto* v = json::present(request, field);
    if (!v) continue;
    if (!v->IsNumber()) return untranslatable_request("'" + std::string(field) + "' must be a number");
    out.AddMember(rapidjson::StringRef(field), Value(*v, a), a);
  }
  if (const auto* stop = json::present(request, "stop")) {
    Value sequences(rapidjson::kArrayType);
    if (stop->IsString()) {
      add_stop_sequence(*stop, sequences, a);
    } else if (stop->IsArray()) {
      for (const auto& s : stop->GetArray()) {
        if (!s.IsString()) return untranslatable_request("'stop' must be a string or an array of strings");
        add_stop_sequence(s, sequences, a);
      }
    } else {
      return untranslatable_request("'stop' must be a string or an array of strings");
    }
    if (!sequences.Empty()) out.AddMember("stop_sequences", sequences, a);
  }
  if (const auto* stream = json::present(request, "stream")) {
    if (!stream->IsBool()) return untranslatable_request("'stream' must be a boolean");
    out.AddMember("stream", stream->GetBool(), a);
  }
  if (const auto user = json::string_or(request, "user"); !user.empty()) {
    Value metadata(rapidjson::kObjectType);
    metadata.AddMember("user_id", json::string_value(user, a), a);
    out.AddMember("metadata", metadata, a);
  }
  return {};
}

}  // namespace

Translation anthropic_messages_request(const Value& request, std::string_view upstream_model,
                                       std::int64_t default_max_tokens) {
  if (!request.IsObject()) return untranslatable_request("the request body must be a JSON object");
  if (const auto* n = json::present(request, "n"); n && (!n->IsInt64() || n->GetInt64() != 1)) {
    return untranslatable_request("'n' other than 1 is not supported for Anthropic models");
  }
  const auto* messages = json::member(request, "messages");
  if (!messages || !messages->IsArray()) return untranslatable_request("'messages' must be an array");

  rapidjson::Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  out.AddMember("model", json::string_value(upstream_model, a), a);
  if (auto status = add_max_tokens(request, default_max_tokens, out, a); !status) return status.error();

  MappedMessages mapped;
  Value anthropic_messages(rapidjson::kArrayType);
  for (const auto& message : messages->GetArray()) {
    if (auto status = map_message(message, anthropic_messages, mapped, a); !status) return status.error();
  }
  tool_results_first(anthropic_messages, a);
  if (!mapped.system.empty()) out.AddMember("system", json::string_value(mapped.system, a), a);
  out.AddMember("messages", anthropic_messages, a);

  if (auto status = add_sampling(request, out, a); !status) return status.error();
  if (auto status = add_anthropic_tools(request, mapped.has_tool_blocks, out, a); !status) return status.error();
  return json::serialize(out);
}

}  // namespace tollgate::providers
