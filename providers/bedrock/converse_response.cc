#include "providers/bedrock/converse_response.h"

#include "providers/json_util.h"

namespace tollgate::providers::bedrock {
namespace {

using Alloc = rapidjson::Document::AllocatorType;
using rapidjson::Value;

Value anthropic_block(const Value& block, Alloc& a) {
  Value out(rapidjson::kObjectType);
  if (const Value* text = json::member(block, "text"); text != nullptr && text->IsString()) {
    out.AddMember("type", "text", a);
    out.AddMember("text", Value(*text, a), a);
    return out;
  }
  if (const Value* use = json::member(block, "toolUse"); use != nullptr && use->IsObject()) {
    out.AddMember("type", "tool_use", a);
    out.AddMember("id", json::string_value(json::string_or(*use, "toolUseId"), a), a);
    out.AddMember("name", json::string_value(json::string_or(*use, "name"), a), a);
    Value input(rapidjson::kObjectType);
    if (const Value* given = json::member(*use, "input"); given != nullptr && given->IsObject())
      input.CopyFrom(*given, a);
    out.AddMember("input", input, a);
    return out;
  }
  if (const Value* reasoning = json::member(block, "reasoningContent"); reasoning != nullptr) {
    const Value* text = json::member(*reasoning, "reasoningText");
    out.AddMember("type", "thinking", a);
    out.AddMember("thinking", json::string_value(text ? json::string_or(*text, "text") : "", a), a);
    out.AddMember("signature", json::string_value(text ? json::string_or(*text, "signature") : "", a), a);
    return out;
  }
  return Value(rapidjson::kNullType);  // images and documents in answers: not relayed
}

}  // namespace

std::string_view anthropic_stop_reason(std::string_view reason) {
  if (reason == "tool_use" || reason == "max_tokens" || reason == "stop_sequence" || reason == "end_turn") {
    return reason;
  }
  if (reason == "guardrail_intervened" || reason == "content_filtered") return "refusal";
  return "end_turn";
}

core::Usage usage_from_converse(const Value& usage) {
  core::Usage u;
  u.cached_prompt_tokens = json::int_or(usage, "cacheReadInputTokens");
  u.cache_creation_prompt_tokens = json::int_or(usage, "cacheWriteInputTokens");
  u.prompt_tokens = json::int_or(usage, "inputTokens") + u.cached_prompt_tokens + u.cache_creation_prompt_tokens;
  u.completion_tokens = json::int_or(usage, "outputTokens");
  return u;
}

void write_anthropic_usage_from_converse(Value& out, const Value& usage, Alloc& a) {
  out.AddMember("input_tokens", json::int_or(usage, "inputTokens"), a);
  out.AddMember("output_tokens", json::int_or(usage, "outputTokens"), a);
  if (json::member(usage, "cacheReadInputTokens") != nullptr) {
    out.AddMember("cache_read_input_tokens", json::int_or(usage, "cacheReadInputTokens"), a);
  }
  if (json::member(usage, "cacheWriteInputTokens") != nullptr) {
    out.AddMember("cache_creation_input_tokens", json::int_or(usage, "cacheWriteInputTokens"), a);
  }
}

Translation anthropic_message_from_converse(std::string_view body, std::string_view id, std::string_view model_group,
                                            core::Usage& usage) {
  rapidjson::Document in;
  if (!json::parse(body, in) || !in.IsObject()) {
    return untranslatable_response("the Bedrock response is not a JSON object");
  }
  const Value* output = json::member(in, "output");
  const Value* message = output ? json::member(*output, "message") : nullptr;
  const Value* content = message ? json::member(*message, "content") : nullptr;
  if (content == nullptr || !content->IsArray()) {
    return untranslatable_response("the Bedrock response has no output.message.content array");
  }
  rapidjson::Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  out.AddMember("id", json::string_value(id, a), a);
  out.AddMember("type", "message", a);
  out.AddMember("role", "assistant", a);
  out.AddMember("model", json::string_value(model_group, a), a);
  Value blocks(rapidjson::kArrayType);
  for (const auto& block : content->GetArray()) {
    Value converted = anthropic_block(block, a);
    if (!converted.IsNull()) blocks.PushBack(converted, a);
  }
  out.AddMember("content", blocks, a);
  out.AddMember("stop_reason", json::string_value(anthropic_stop_reason(json::string_or(in, "stopReason")), a), a);
  out.AddMember("stop_sequence", Value(rapidjson::kNullType), a);
  Value anthropic_usage(rapidjson::kObjectType);
  static const Value kNoUsage(rapidjson::kObjectType);
  const Value* converse_usage = json::member(in, "usage");
  write_anthropic_usage_from_converse(anthropic_usage, converse_usage ? *converse_usage : kNoUsage, a);
  out.AddMember("usage", anthropic_usage, a);
  usage = usage_from_converse(converse_usage ? *converse_usage : kNoUsage);
  return json::serialize(out);
}

}  // namespace tollgate::providers::bedrock
