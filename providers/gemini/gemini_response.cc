#include "providers/gemini/gemini_response.h"

#include "providers/json_util.h"

namespace tollgate::providers::gemini {
namespace {

using Alloc = rapidjson::Document::AllocatorType;
using rapidjson::Value;

const Value* first_candidate(const Value& response) {
  const Value* candidates = json::member(response, "candidates");
  if (candidates == nullptr || !candidates->IsArray() || candidates->Empty()) return nullptr;
  return &(*candidates)[0];
}

}  // namespace

std::string_view anthropic_stop_reason(std::string_view reason, bool called_function) {
  if (reason == "MAX_TOKENS") return "max_tokens";
  for (std::string_view blocked : {"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY"}) {
    if (reason == blocked) return "refusal";
  }
  return called_function ? "tool_use" : "end_turn";
}

core::Usage usage_from_gemini(const Value& usage) {
  core::Usage u;
  u.prompt_tokens = json::int_or(usage, "promptTokenCount") + json::int_or(usage, "toolUsePromptTokenCount");
  u.cached_prompt_tokens = json::int_or(usage, "cachedContentTokenCount");
  u.completion_tokens = json::int_or(usage, "candidatesTokenCount") + json::int_or(usage, "thoughtsTokenCount");
  return u;
}

void write_anthropic_usage(Value& out, const core::Usage& usage, Alloc& a) {
  out.AddMember("input_tokens", usage.prompt_tokens - usage.cached_prompt_tokens, a);
  out.AddMember("output_tokens", usage.completion_tokens, a);
  if (usage.cached_prompt_tokens > 0) out.AddMember("cache_read_input_tokens", usage.cached_prompt_tokens, a);
}

Translation anthropic_message_from_gemini(std::string_view body, std::string_view id, std::string_view model_group,
                                          core::Usage& usage) {
  rapidjson::Document in;
  if (!json::parse(body, in) || !in.IsObject())
    return untranslatable_response("the Gemini response is not a JSON object");
  const Value* candidate = first_candidate(in);
  const bool blocked = candidate == nullptr && json::member(in, "promptFeedback") != nullptr;
  if (candidate == nullptr && !blocked) return untranslatable_response("the Gemini response has no candidates");

  rapidjson::Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  out.AddMember("id", json::string_value(id, a), a);
  out.AddMember("type", "message", a);
  out.AddMember("role", "assistant", a);
  out.AddMember("model", json::string_value(model_group, a), a);
  Value blocks(rapidjson::kArrayType);
  bool called_function = false;
  const Value* content = candidate ? json::member(*candidate, "content") : nullptr;
  const Value* parts = content ? json::member(*content, "parts") : nullptr;
  if (parts != nullptr && parts->IsArray()) {
    for (const auto& part : parts->GetArray()) {
      Value block(rapidjson::kObjectType);
      if (const Value* call = json::member(part, "functionCall"); call != nullptr && call->IsObject()) {
        const auto given_id = json::string_or(*call, "id");
        const std::string call_id =
            given_id.empty() ? std::string(id) + "_" + std::to_string(blocks.Size()) : std::string(given_id);
        block.AddMember("type", "tool_use", a);
        block.AddMember("id", json::string_value(call_id, a), a);
        block.AddMember("name", json::string_value(json::string_or(*call, "name"), a), a);
        Value input(rapidjson::kObjectType);
        if (const Value* args = json::member(*call, "args"); args != nullptr && args->IsObject())
          input.CopyFrom(*args, a);
        block.AddMember("input", input, a);
        called_function = true;
      } else if (const Value* text = json::member(part, "text"); text != nullptr && text->IsString()) {
        const bool thought = json::bool_or(part, "thought");
        block.AddMember("type", rapidjson::StringRef(thought ? "thinking" : "text"), a);
        block.AddMember(rapidjson::StringRef(thought ? "thinking" : "text"), Value(*text, a), a);
        if (thought) block.AddMember("signature", "", a);
      } else {
        continue;  // inline data, executable code: not relayed
      }
      blocks.PushBack(block, a);
    }
  }
  out.AddMember("content", blocks, a);
  const auto reason = blocked ? std::string_view("SAFETY") : json::string_or(*candidate, "finishReason");
  out.AddMember("stop_reason", json::string_value(anthropic_stop_reason(reason, called_function), a), a);
  out.AddMember("stop_sequence", Value(rapidjson::kNullType), a);
  static const Value kNoUsage(rapidjson::kObjectType);
  const Value* metadata = json::member(in, "usageMetadata");
  usage = usage_from_gemini(metadata ? *metadata : kNoUsage);
  Value anthropic_usage(rapidjson::kObjectType);
  write_anthropic_usage(anthropic_usage, usage, a);
  out.AddMember("usage", anthropic_usage, a);
  return json::serialize(out);
}

}  // namespace tollgate::providers::gemini
