#include "providers/bedrock/converse_stream.h"

#include <rapidjson/document.h>

#include "providers/anthropic_error.h"
#include "providers/anthropic_events.h"
#include "providers/bedrock/converse_response.h"
#include "providers/json_util.h"

namespace tollgate::providers::bedrock {
namespace {

using Alloc = rapidjson::Document::AllocatorType;
using rapidjson::Value;

int error_status_for(std::string_view exception) {
  if (exception == "throttlingException") return 429;
  if (exception == "serviceUnavailableException" || exception == "modelNotReadyException") return 503;
  if (exception == "validationException") return 400;
  return 500;
}

}  // namespace

bool is_exception_event(std::string_view event_type) {
  return event_type.size() > 9 && event_type.substr(event_type.size() - 9) == "Exception";
}

SseEvent anthropic_error_from_exception(const SseEvent& exception) {
  rapidjson::Document in;
  if (!json::parse(exception.data, in) || !in.IsObject()) in.SetObject();
  const auto message = std::string(json::string_or(in, "message", exception.event));
  return SseEvent{"error", anthropic_error_body(error_status_for(exception.event), message)};
}

ConverseToAnthropicStream::ConverseToAnthropicStream(std::string id, std::string model_group,
                                                     std::int64_t input_tokens_estimate)
    : id_(std::move(id)), model_(std::move(model_group)), input_estimate_(input_tokens_estimate) {}

void ConverseToAnthropicStream::start_block_if_needed(std::int64_t index, std::vector<SseEvent>& out) {
  if (!started_blocks_.insert(index).second) return;
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("index", index, a);
  Value block(rapidjson::kObjectType);
  block.AddMember("type", "text", a);
  block.AddMember("text", "", a);
  d.AddMember("content_block", block, a);
  out.push_back(anthropic_event("content_block_start", d));
}

std::vector<SseEvent> ConverseToAnthropicStream::on_event(const SseEvent& event) {
  std::vector<SseEvent> out;
  rapidjson::Document in;
  if (!json::parse(event.data, in) || !in.IsObject()) in.SetObject();
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  const std::int64_t index = json::int_or(in, "contentBlockIndex");

  if (is_exception_event(event.event)) {
    out.push_back(anthropic_error_from_exception(event));
  } else if (event.event == "messageStart") {
    out.push_back(anthropic_message_start(id_, model_, input_estimate_));
  } else if (event.event == "contentBlockStart") {
    const Value* start = json::member(in, "start");
    const Value* use = start ? json::member(*start, "toolUse") : nullptr;
    if (use != nullptr && started_blocks_.insert(index).second) {
      d.AddMember("index", index, a);
      Value block(rapidjson::kObjectType);
      block.AddMember("type", "tool_use", a);
      block.AddMember("id", json::string_value(json::string_or(*use, "toolUseId"), a), a);
      block.AddMember("name", json::string_value(json::string_or(*use, "name"), a), a);
      block.AddMember("input", Value(rapidjson::kObjectType), a);
      d.AddMember("content_block", block, a);
      out.push_back(anthropic_event("content_block_start", d));
    }
  } else if (event.event == "contentBlockDelta") {
    const Value* delta = json::member(in, "delta");
    if (delta == nullptr) return out;
    Value anthropic_delta(rapidjson::kObjectType);
    if (const Value* text = json::member(*delta, "text"); text != nullptr && text->IsString()) {
      anthropic_delta.AddMember("type", "text_delta", a);
      anthropic_delta.AddMember("text", Value(*text, a), a);
    } else if (const Value* use = json::member(*delta, "toolUse")) {
      anthropic_delta.AddMember("type", "input_json_delta", a);
      anthropic_delta.AddMember("partial_json", json::string_value(json::string_or(*use, "input"), a), a);
    } else if (const Value* reasoning = json::member(*delta, "reasoningContent")) {
      anthropic_delta.AddMember("type", "thinking_delta", a);
      anthropic_delta.AddMember("thinking", json::string_value(json::string_or(*reasoning, "text"), a), a);
    } else {
      return out;
    }
    start_block_if_needed(index, out);
    d.AddMember("index", index, a);
    d.AddMember("delta", anthropic_delta, a);
    out.push_back(anthropic_event("content_block_delta", d));
  } else if (event.event == "contentBlockStop") {
    if (started_blocks_.count(index) == 0) return out;
    d.AddMember("index", index, a);
    out.push_back(anthropic_event("content_block_stop", d));
  } else if (event.event == "messageStop") {
    stop_reason_ = std::string(anthropic_stop_reason(json::string_or(in, "stopReason")));
  } else if (event.event == "metadata") {
    static const Value kNoUsage(rapidjson::kObjectType);
    const Value* converse_usage = json::member(in, "usage");
    if (converse_usage != nullptr) {
      usage_ = usage_from_converse(*converse_usage);
      usage_found_ = true;
    }
    Value delta(rapidjson::kObjectType);
    delta.AddMember("stop_reason", json::string_value(stop_reason_, a), a);
    delta.AddMember("stop_sequence", Value(rapidjson::kNullType), a);
    d.AddMember("delta", delta, a);
    Value usage(rapidjson::kObjectType);
    write_anthropic_usage_from_converse(usage, converse_usage ? *converse_usage : kNoUsage, a);
    d.AddMember("usage", usage, a);
    out.push_back(anthropic_event("message_delta", d));
    rapidjson::Document stop(rapidjson::kObjectType);
    out.push_back(anthropic_event("message_stop", stop));
  }
  return out;
}

}  // namespace tollgate::providers::bedrock
