#include "providers/stream_text.h"

#include <rapidjson/document.h>

namespace tollgate::providers {
namespace {

std::size_t string_bytes(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return 0;
  const auto it = object.FindMember(name);
  return it != object.MemberEnd() && it->value.IsString() ? it->value.GetStringLength() : 0;
}

// choices[].delta.{content, reasoning_content, tool_calls[].function.arguments}, choices[].text
std::size_t openai_text_bytes(const rapidjson::Document& d) {
  const auto choices = d.FindMember("choices");
  if (choices == d.MemberEnd() || !choices->value.IsArray()) return 0;
  std::size_t bytes = 0;
  for (const auto& choice : choices->value.GetArray()) {
    if (!choice.IsObject()) continue;
    bytes += string_bytes(choice, "text");
    const auto delta = choice.FindMember("delta");
    if (delta == choice.MemberEnd() || !delta->value.IsObject()) continue;
    bytes += string_bytes(delta->value, "content") + string_bytes(delta->value, "reasoning_content");
    const auto calls = delta->value.FindMember("tool_calls");
    if (calls == delta->value.MemberEnd() || !calls->value.IsArray()) continue;
    for (const auto& call : calls->value.GetArray()) {
      if (!call.IsObject()) continue;
      const auto function = call.FindMember("function");
      if (function != call.MemberEnd()) bytes += string_bytes(function->value, "arguments");
    }
  }
  return bytes;
}

// content_block_delta: delta.{text, partial_json, thinking}
std::size_t anthropic_text_bytes(const rapidjson::Document& d) {
  const auto delta = d.FindMember("delta");
  if (delta == d.MemberEnd() || !delta->value.IsObject()) return 0;
  return string_bytes(delta->value, "text") + string_bytes(delta->value, "partial_json") +
         string_bytes(delta->value, "thinking");
}

}  // namespace

std::size_t stream_event_text_bytes(Api api, std::string_view data) {
  if (data.empty() || data.front() != '{') return 0;  // [DONE] and friends
  rapidjson::Document d;
  d.Parse(data.data(), data.size());
  if (d.HasParseError() || !d.IsObject()) return 0;
  return api == Api::anthropic_messages ? anthropic_text_bytes(d) : openai_text_bytes(d);
}

}  // namespace tollgate::providers
