#include "providers/anthropic_events.h"

#include "providers/json_util.h"

namespace tollgate::providers {

using rapidjson::Value;

SseEvent anthropic_event(const char* type, rapidjson::Document& d) {
  d.AddMember("type", rapidjson::StringRef(type), d.GetAllocator());
  return SseEvent{type, json::serialize(d)};
}

SseEvent anthropic_message_start(std::string_view id, std::string_view model, std::int64_t input_tokens_estimate) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  Value message(rapidjson::kObjectType);
  message.AddMember("id", json::string_value(id, a), a);
  message.AddMember("type", "message", a);
  message.AddMember("role", "assistant", a);
  message.AddMember("model", json::string_value(model, a), a);
  message.AddMember("content", Value(rapidjson::kArrayType), a);
  message.AddMember("stop_reason", Value(rapidjson::kNullType), a);
  message.AddMember("stop_sequence", Value(rapidjson::kNullType), a);
  Value usage(rapidjson::kObjectType);
  usage.AddMember("input_tokens", input_tokens_estimate, a);
  usage.AddMember("output_tokens", 0, a);
  message.AddMember("usage", usage, a);
  d.AddMember("message", message, a);
  return anthropic_event("message_start", d);
}

}  // namespace tollgate::providers
