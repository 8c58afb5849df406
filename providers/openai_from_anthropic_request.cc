#include "providers/openai_from_anthropic_request.h"

#include "core/json_escape.h"
#include "providers/json_util.h"

namespace tollgate::providers {
namespace {

using rapidjson::Value;
using Alloc = rapidjson::Document::AllocatorType;

std::string quoted(std::string_view s) {
  std::string out;
  core::append_json_string(out, s);
  return out;
}

std::string blocks_text(const Value& content) {
  if (content.IsString()) return {content.GetString(), content.GetStringLength()};
  std::string out;
  if (content.IsArray()) {
    for (const auto& block : content.GetArray()) {
      if (json::string_or(block, "type") == "text") {
        if (!out.empty()) out += "\n";
        out += json::string_or(block, "text");
      }
    }
  }
  return out;
}

Value image_part(const Value& block, Alloc& a) {
  const auto* source = json::member(block, "source");
  std::string url;
  if (source && json::string_or(*source, "type") == "base64") {
    url = "data:" + std::string(json::string_or(*source, "media_type")) + ";base64," +
          std::string(json::string_or(*source, "data"));
  } else if (source) {
    url = std::string(json::string_or(*source, "url"));
  }
  Value image(rapidjson::kObjectType);
  image.AddMember("url", json::string_value(url, a), a);
  Value part(rapidjson::kObjectType);
  part.AddMember("type", "image_url", a);
  part.AddMember("image_url", image, a);
  return part;
}

std::string map_user(const Value& content, Value& messages, Alloc& a) {
  if (content.IsString()) {
    Value m(rapidjson::kObjectType);
    m.AddMember("role", "user", a);
    m.AddMember("content", Value(content, a), a);
    messages.PushBack(m, a);
    return {};
  }
  if (!content.IsArray()) return "message content must be a string or an array of blocks";
  Value parts(rapidjson::kArrayType);
  for (const auto& block : content.GetArray()) {
    const auto type = json::string_or(block, "type");
    if (type == "tool_result") {
      // Tool results answer the previous assistant turn: they come before the user's text.
      Value m(rapidjson::kObjectType);
      m.AddMember("role", "tool", a);
      m.AddMember("tool_call_id", json::string_value(json::string_or(block, "tool_use_id"), a), a);
      const auto* c = json::member(block, "content");
      m.AddMember("content", json::string_value(c ? blocks_text(*c) : std::string(), a), a);
      messages.PushBack(m, a);
    } else if (type == "text") {
      Value part(rapidjson::kObjectType);
      part.AddMember("type", "text", a);
      part.AddMember("text", json::string_value(json::string_or(block, "text"), a), a);
      parts.PushBack(part, a);
    } else if (type == "image") {
      parts.PushBack(image_part(block, a), a);
    } else {
      return "unsupported content block type '" + std::string(type) + "'";
    }
  }
  if (!parts.Empty()) {
    Value m(rapidjson::kObjectType);
    m.AddMember("role", "user", a);
    m.AddMember("content", parts, a);
    messages.PushBack(m, a);
  }
  return {};
}

std::string map_assistant(const Value& content, Value& messages, Alloc& a) {
  Value m(rapidjson::kObjectType);
  m.AddMember("role", "assistant", a);
  if (content.IsString()) {
    m.AddMember("content", Value(content, a), a);
    messages.PushBack(m, a);
    return {};
  }
  if (!content.IsArray()) return "message content must be a string or an array of blocks";
  std::string text;
  Value calls(rapidjson::kArrayType);
  for (const auto& block : content.GetArray()) {
    const auto type = json::string_or(block, "type");
    if (type == "text") {
      text += json::string_or(block, "text");
    } else if (type == "tool_use") {
      Value call(rapidjson::kObjectType);
      call.AddMember("id", json::string_value(json::string_or(block, "id"), a), a);
      call.AddMember("type", "function", a);
      Value fn(rapidjson::kObjectType);
      fn.AddMember("name", json::string_value(json::string_or(block, "name"), a), a);
      const auto* input = json::member(block, "input");
      fn.AddMember("arguments", json::string_value(input ? json::serialize(*input) : "{}", a), a);
      call.AddMember("function", fn, a);
      calls.PushBack(call, a);
    }
  }
  if (!text.empty() || calls.Empty()) {
    m.AddMember("content", json::string_value(text, a), a);
  } else {
    m.AddMember("content", Value(), a);
  }
  if (!calls.Empty()) m.AddMember("tool_calls", calls, a);
  messages.PushBack(m, a);
  return {};
}

void map_tools(const Value& request, Value& out, Alloc& a) {
  if (const auto* tools = json::member(request, "tools"); tools && tools->IsArray() && !tools->Empty()) {
    Value mapped(rapidjson::kArrayType);
    for (const auto& tool : tools->GetArray()) {
      Value fn(rapidjson::kObjectType);
      fn.AddMember("name", json::string_value(json::string_or(tool, "name"), a), a);
      if (const auto* d = json::member(tool, "description"); d && d->IsString()) fn.AddMember("description", Value(*d, a), a);
      Value params;
      if (const auto* s = json::member(tool, "input_schema"); s && s->IsObject()) params.CopyFrom(*s, a);
      else params.SetObject();
      fn.AddMember("parameters", params, a);
      Value t(rapidjson::kObjectType);
      t.AddMember("type", "function", a);
      t.AddMember("function", fn, a);
      mapped.PushBack(t, a);
    }
    out.AddMember("tools", mapped, a);
  }
  if (const auto* choice = json::member(request, "tool_choice"); choice && choice->IsObject()) {
    const auto type = json::string_or(*choice, "type");
    if (type == "tool") {
      Value fn(rapidjson::kObjectType);
      fn.AddMember("name", json::string_value(json::string_or(*choice, "name"), a), a);
      Value c(rapidjson::kObjectType);
      c.AddMember("type", "function", a);
      c.AddMember("function", fn, a);
      out.AddMember("tool_choice", c, a);
    } else {
      out.AddMember("tool_choice", rapidjson::StringRef(type == "any" ? "required" : type == "none" ? "none" : "auto"), a);
    }
  }
}

std::string_view stop_reason_from_openai(std::string_view finish_reason) {
  if (finish_reason == "length") return "max_tokens";
  if (finish_reason == "tool_calls" || finish_reason == "function_call") return "tool_use";
  return "end_turn";
}

std::string event(std::string_view type, const std::string& data) {
  return "event: " + std::string(type) + "\ndata: " + data + "\n\n";
}

}  // namespace

std::string anthropic_error_body(int status, std::string_view message) {
  std::string_view type = "api_error";
  switch (status) {
    case 400: type = "invalid_request_error"; break;
    case 401: type = "authentication_error"; break;
    case 403: type = "permission_error"; break;
    case 404: type = "not_found_error"; break;
    case 413: type = "request_too_large"; break;
    case 429: type = "rate_limit_error"; break;
    case 503:
    case 529: type = "overloaded_error"; break;
    default: break;
  }
  return R"({"type":"error","error":{"type":)" + quoted(type) + R"(,"message":)" + quoted(message) + "}}";
}

Translation openai_chat_request_from_anthropic(const rapidjson::Value& request, std::string_view upstream_model) {
  if (!request.IsObject()) return translation_error("request must be a JSON object");
  const auto* messages = json::member(request, "messages");
  if (!messages || !messages->IsArray()) return translation_error("'messages' must be an array");
  rapidjson::Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  out.AddMember("model", json::string_value(upstream_model, a), a);
  Value mapped(rapidjson::kArrayType);
  if (const auto* system = json::member(request, "system")) {
    const auto text = blocks_text(*system);
    if (!text.empty()) {
      Value m(rapidjson::kObjectType);
      m.AddMember("role", "system", a);
      m.AddMember("content", json::string_value(text, a), a);
      mapped.PushBack(m, a);
    }
  }
  for (const auto& message : messages->GetArray()) {
    const auto role = json::string_or(message, "role");
    const auto* content = json::member(message, "content");
    if (!content) return translation_error("every message needs content");
    std::string error = role == "user"        ? map_user(*content, mapped, a)
                        : role == "assistant" ? map_assistant(*content, mapped, a)
                                              : "unsupported message role '" + std::string(role) + "'";
    if (!error.empty()) return translation_error(error);
  }
  out.AddMember("messages", mapped, a);
  if (const auto max = json::int_or(request, "max_tokens"); max > 0) out.AddMember("max_tokens", max, a);
  for (const char* field : {"temperature", "top_p"}) {
    if (const auto* v = json::member(request, field); v && v->IsNumber()) out.AddMember(rapidjson::StringRef(field), Value(*v, a), a);
  }
  if (const auto* stop = json::member(request, "stop_sequences"); stop && stop->IsArray()) {
    out.AddMember("stop", Value(*stop, a), a);
  }
  if (const auto* stream = json::member(request, "stream"); stream && stream->IsBool() && stream->GetBool()) {
    out.AddMember("stream", true, a);
    Value options(rapidjson::kObjectType);
    options.AddMember("include_usage", true, a);
    out.AddMember("stream_options", options, a);
  }
  if (const auto* metadata = json::member(request, "metadata")) {
    if (const auto user = json::string_or(*metadata, "user_id"); !user.empty()) {
      out.AddMember("user", json::string_value(user, a), a);
    }
  }
  map_tools(request, out, a);
  return Translation{json::serialize(out), {}};
}

Translation anthropic_response_from_openai(std::string_view body, std::string_view model, core::Usage& usage_out) {
  rapidjson::Document in;
  in.Parse(body.data(), body.size());
  if (in.HasParseError() || !in.IsObject()) return translation_error("the upstream response is not a JSON object");
  const auto* choices = json::member(in, "choices");
  if (!choices || !choices->IsArray() || choices->Empty()) return translation_error("the upstream response has no choices");
  const auto& choice = (*choices)[0];
  const auto* message = json::member(choice, "message");
  if (!message) return translation_error("the upstream response has no message");

  rapidjson::Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  Value content(rapidjson::kArrayType);
  if (const auto text = json::string_or(*message, "content"); !text.empty()) {
    Value block(rapidjson::kObjectType);
    block.AddMember("type", "text", a);
    block.AddMember("text", json::string_value(text, a), a);
    content.PushBack(block, a);
  }
  if (const auto* calls = json::member(*message, "tool_calls"); calls && calls->IsArray()) {
    for (const auto& call : calls->GetArray()) {
      const auto* fn = json::member(call, "function");
      if (!fn) continue;
      Value block(rapidjson::kObjectType);
      block.AddMember("type", "tool_use", a);
      block.AddMember("id", json::string_value(json::string_or(call, "id"), a), a);
      block.AddMember("name", json::string_value(json::string_or(*fn, "name"), a), a);
      rapidjson::Document input;
      const auto args = json::string_or(*fn, "arguments", "{}");
      input.Parse(args.data(), args.size());
      Value copy;
      if (!input.HasParseError() && input.IsObject()) copy.CopyFrom(input, a);
      else copy.SetObject();
      block.AddMember("input", copy, a);
      content.PushBack(block, a);
    }
  }
  if (content.Empty()) {
    Value block(rapidjson::kObjectType);
    block.AddMember("type", "text", a);
    block.AddMember("text", "", a);
    content.PushBack(block, a);
  }
  if (const auto* usage = json::member(in, "usage")) {
    usage_out.prompt_tokens = json::int_or(*usage, "prompt_tokens");
    usage_out.completion_tokens = json::int_or(*usage, "completion_tokens");
  }
  const auto id = json::string_or(in, "id", "gateway");
  out.AddMember("id", json::string_value("msg_" + std::string(id), a), a);
  out.AddMember("type", "message", a);
  out.AddMember("role", "assistant", a);
  out.AddMember("model", json::string_value(model, a), a);
  out.AddMember("content", content, a);
  out.AddMember("stop_reason", json::string_value(stop_reason_from_openai(json::string_or(choice, "finish_reason")), a), a);
  out.AddMember("stop_sequence", Value(), a);
  Value usage(rapidjson::kObjectType);
  usage.AddMember("input_tokens", usage_out.prompt_tokens, a);
  usage.AddMember("output_tokens", usage_out.completion_tokens, a);
  out.AddMember("usage", usage, a);
  return Translation{json::serialize(out), {}};
}

OpenAIToAnthropicStream::OpenAIToAnthropicStream(std::string model, std::int64_t input_tokens_estimate)
    : model_(std::move(model)) {
  usage_.prompt_tokens = input_tokens_estimate;
}

std::string OpenAIToAnthropicStream::start_message() {
  started_ = true;
  return event("message_start",
               R"({"type":"message_start","message":{"id":)" + quoted(id_) +
                   R"(,"type":"message","role":"assistant","model":)" + quoted(model_) +
                   R"(,"content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":)" +
                   std::to_string(usage_.prompt_tokens) + R"(,"output_tokens":0}}})");
}

std::string OpenAIToAnthropicStream::close_open_block() {
  if (open_block_ < 0) return {};
  const int index = open_block_;
  open_block_ = -1;
  return event("content_block_stop", R"({"type":"content_block_stop","index":)" + std::to_string(index) + "}");
}

std::string OpenAIToAnthropicStream::finish() {
  finished_ = true;
  std::string out = started_ ? std::string() : start_message();
  out += close_open_block();
  out += event("message_delta", R"({"type":"message_delta","delta":{"stop_reason":)" + quoted(stop_reason_) +
                                    R"(,"stop_sequence":null},"usage":{"input_tokens":)" +
                                    std::to_string(usage_.prompt_tokens) + R"(,"output_tokens":)" +
                                    std::to_string(usage_.completion_tokens) + "}}");
  out += event("message_stop", R"({"type":"message_stop"})");
  return out;
}

std::string OpenAIToAnthropicStream::on_data(std::string_view data) {
  if (finished_) return {};
  if (data == "[DONE]") return finish();
  rapidjson::Document d;
  d.Parse(data.data(), data.size());
  if (d.HasParseError() || !d.IsObject()) return {};
  std::string out;
  if (!started_) {
    if (const auto id = json::string_or(d, "id"); !id.empty()) id_ = "msg_" + std::string(id);
    out += start_message();
  }
  if (const auto* usage = json::member(d, "usage"); usage && usage->IsObject()) {
    usage_.prompt_tokens = json::int_or(*usage, "prompt_tokens", usage_.prompt_tokens);
    usage_.completion_tokens = json::int_or(*usage, "completion_tokens", usage_.completion_tokens);
  }
  const auto* choices = json::member(d, "choices");
  if (!choices || !choices->IsArray() || choices->Empty()) return out;
  const auto& choice = (*choices)[0];
  if (const auto reason = json::string_or(choice, "finish_reason"); !reason.empty()) {
    stop_reason_ = std::string(stop_reason_from_openai(reason));
  }
  const auto* delta = json::member(choice, "delta");
  if (!delta) return out;
  if (const auto text = json::string_or(*delta, "content"); !text.empty()) {
    if (open_block_ < 0 || !open_block_is_text_) {
      out += close_open_block();
      open_block_ = next_block_++;
      open_block_is_text_ = true;
      out += event("content_block_start", R"({"type":"content_block_start","index":)" + std::to_string(open_block_) +
                                              R"(,"content_block":{"type":"text","text":""}})");
    }
    out += event("content_block_delta", R"({"type":"content_block_delta","index":)" + std::to_string(open_block_) +
                                            R"(,"delta":{"type":"text_delta","text":)" + quoted(text) + "}}");
  }
  if (const auto* calls = json::member(*delta, "tool_calls"); calls && calls->IsArray()) {
    for (const auto& call : calls->GetArray()) {
      const auto tool_index = json::int_or(call, "index");
      const auto* fn = json::member(call, "function");
      auto it = tool_blocks_.find(tool_index);
      if (it == tool_blocks_.end()) {
        out += close_open_block();
        const int block = next_block_++;
        it = tool_blocks_.emplace(tool_index, block).first;
        open_block_ = block;
        open_block_is_text_ = false;
        out += event("content_block_start",
                     R"({"type":"content_block_start","index":)" + std::to_string(block) +
                         R"(,"content_block":{"type":"tool_use","id":)" + quoted(json::string_or(call, "id")) +
                         R"(,"name":)" + quoted(fn ? json::string_or(*fn, "name") : std::string_view{}) +
                         R"(,"input":{}}})");
      }
      if (const auto args = fn ? json::string_or(*fn, "arguments") : std::string_view{}; !args.empty()) {
        out += event("content_block_delta", R"({"type":"content_block_delta","index":)" + std::to_string(it->second) +
                                                R"(,"delta":{"type":"input_json_delta","partial_json":)" +
                                                quoted(args) + "}}");
      }
    }
  }
  return out;
}

}  // namespace tollgate::providers
