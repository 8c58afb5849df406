#include "providers/gemini/gemini_stream.h"

#include <rapidjson/document.h>

#include "providers/anthropic_error.h"
#include "providers/anthropic_events.h"
#include "providers/gemini/gemini_response.h"
#include "providers/json_util.h"

namespace tollgate::providers::gemini {
using rapidjson::Value;

GeminiToAnthropicStream::GeminiToAnthropicStream(std::string id, std::string model_group,
                                                 std::int64_t input_tokens_estimate)
    : id_(std::move(id)), model_(std::move(model_group)), input_estimate_(input_tokens_estimate) {}

void GeminiToAnthropicStream::start(std::vector<SseEvent>& out) {
  if (started_) return;
  started_ = true;
  out.push_back(anthropic_message_start(id_, model_, input_estimate_));
}

void GeminiToAnthropicStream::close_block(std::vector<SseEvent>& out) {
  if (open_ == Block::none) return;
  open_ = Block::none;
  rapidjson::Document d(rapidjson::kObjectType);
  d.AddMember("index", index_, d.GetAllocator());
  out.push_back(anthropic_event("content_block_stop", d));
}

void GeminiToAnthropicStream::text_delta(Block kind, std::string_view text, std::vector<SseEvent>& out) {
  const bool thinking = kind == Block::thinking;
  if (open_ != kind) {
    close_block(out);
    open_ = kind;
    ++index_;
    rapidjson::Document d(rapidjson::kObjectType);
    auto& a = d.GetAllocator();
    d.AddMember("index", index_, a);
    Value block(rapidjson::kObjectType);
    block.AddMember("type", rapidjson::StringRef(thinking ? "thinking" : "text"), a);
    block.AddMember(rapidjson::StringRef(thinking ? "thinking" : "text"), "", a);
    d.AddMember("content_block", block, a);
    out.push_back(anthropic_event("content_block_start", d));
  }
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("index", index_, a);
  Value delta(rapidjson::kObjectType);
  delta.AddMember("type", rapidjson::StringRef(thinking ? "thinking_delta" : "text_delta"), a);
  delta.AddMember(rapidjson::StringRef(thinking ? "thinking" : "text"), json::string_value(text, a), a);
  d.AddMember("delta", delta, a);
  out.push_back(anthropic_event("content_block_delta", d));
}

void GeminiToAnthropicStream::function_call(const Value& call, std::vector<SseEvent>& out) {
  close_block(out);
  called_function_ = true;
  ++index_;
  const auto given_id = json::string_or(call, "id");
  const std::string call_id = given_id.empty() ? id_ + "_" + std::to_string(index_) : std::string(given_id);
  rapidjson::Document start(rapidjson::kObjectType);
  auto& a = start.GetAllocator();
  start.AddMember("index", index_, a);
  Value block(rapidjson::kObjectType);
  block.AddMember("type", "tool_use", a);
  block.AddMember("id", json::string_value(call_id, a), a);
  block.AddMember("name", json::string_value(json::string_or(call, "name"), a), a);
  block.AddMember("input", Value(rapidjson::kObjectType), a);
  start.AddMember("content_block", block, a);
  out.push_back(anthropic_event("content_block_start", start));

  rapidjson::Document delta_event(rapidjson::kObjectType);
  auto& da = delta_event.GetAllocator();
  delta_event.AddMember("index", index_, da);
  Value delta(rapidjson::kObjectType);
  delta.AddMember("type", "input_json_delta", da);
  const Value* args = json::member(call, "args");
  delta.AddMember("partial_json", json::string_value(args && args->IsObject() ? json::serialize(*args) : "{}", da), da);
  delta_event.AddMember("delta", delta, da);
  out.push_back(anthropic_event("content_block_delta", delta_event));

  rapidjson::Document stop(rapidjson::kObjectType);
  stop.AddMember("index", index_, stop.GetAllocator());
  out.push_back(anthropic_event("content_block_stop", stop));
}

void GeminiToAnthropicStream::finish(std::string_view finish_reason, std::vector<SseEvent>& out) {
  close_block(out);
  finished_ = true;
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  Value delta(rapidjson::kObjectType);
  delta.AddMember("stop_reason", json::string_value(anthropic_stop_reason(finish_reason, called_function_), a), a);
  delta.AddMember("stop_sequence", Value(rapidjson::kNullType), a);
  d.AddMember("delta", delta, a);
  Value usage(rapidjson::kObjectType);
  write_anthropic_usage(usage, usage_, a);
  d.AddMember("usage", usage, a);
  out.push_back(anthropic_event("message_delta", d));
  rapidjson::Document stop(rapidjson::kObjectType);
  out.push_back(anthropic_event("message_stop", stop));
}

std::vector<SseEvent> GeminiToAnthropicStream::on_event(const SseEvent& event) {
  std::vector<SseEvent> out;
  if (finished_) return out;
  rapidjson::Document in;
  if (!json::parse(event.data, in) || !in.IsObject()) return out;
  if (const Value* error = json::member(in, "error"); error != nullptr) {
    const auto code = json::int_or(*error, "code", 500);
    out.push_back(
        SseEvent{"error", anthropic_error_body(static_cast<int>(code),
                                               std::string(json::string_or(*error, "message", "upstream error")))});
    return out;
  }
  start(out);
  if (const Value* metadata = json::member(in, "usageMetadata"); metadata != nullptr && metadata->IsObject()) {
    usage_ = usage_from_gemini(*metadata);
    usage_found_ = true;
  }
  const Value* candidates = json::member(in, "candidates");
  const Value* candidate = candidates && candidates->IsArray() && !candidates->Empty() ? &(*candidates)[0] : nullptr;
  if (candidate == nullptr) {
    if (json::member(in, "promptFeedback") != nullptr) finish("SAFETY", out);
    return out;
  }
  const Value* content = json::member(*candidate, "content");
  const Value* parts = content ? json::member(*content, "parts") : nullptr;
  if (parts != nullptr && parts->IsArray()) {
    for (const auto& part : parts->GetArray()) {
      if (const Value* call = json::member(part, "functionCall"); call != nullptr && call->IsObject()) {
        function_call(*call, out);
      } else if (const Value* text = json::member(part, "text"); text != nullptr && text->IsString()) {
        text_delta(json::bool_or(part, "thought") ? Block::thinking : Block::text,
                   {text->GetString(), text->GetStringLength()}, out);
      }
    }
  }
  if (const auto reason = json::string_or(*candidate, "finishReason"); !reason.empty()) finish(reason, out);
  return out;
}

}  // namespace tollgate::providers::gemini
