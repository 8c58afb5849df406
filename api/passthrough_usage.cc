#include "api/passthrough_usage.h"

#include "core/cut_stream_output.h"
#include "providers/bedrock/converse_response.h"
#include "providers/gemini/gemini_response.h"
#include "providers/json_util.h"
#include "providers/stream_text.h"
#include "providers/usage_json.h"

namespace tollgate::api {
namespace {

namespace json = providers::json;

const rapidjson::Value* object_member(const rapidjson::Value& v, const char* name) {
  const auto* m = json::member(v, name);
  return m != nullptr && m->IsObject() ? m : nullptr;
}

}  // namespace

void PassthroughUsage::on_body(std::string_view text) {
  rapidjson::Document d;
  if (!json::parse(text, d)) return;
  if (d.IsArray()) {  // Gemini's streamGenerateContent without alt=sse: one JSON array
    for (const auto& chunk : d.GetArray()) read(chunk);
    return;
  }
  read(d);
}

void PassthroughUsage::on_event(const providers::SseEvent& event) {
  if (event.data.empty() || event.data == "[DONE]") return;
  rapidjson::Document d;
  if (json::parse(event.data, d)) read(d);
}

core::Usage PassthroughUsage::usage_cut_short(std::int64_t output_bound) const {
  auto cut = usage();
  const auto bound = output_bound > 0 ? std::optional(output_bound) : std::nullopt;
  cut.completion_tokens = core::cut_stream_output_tokens(cut.completion_tokens, relayed_text_tokens_, bound);
  return cut;
}

void PassthroughUsage::take(const core::Usage& usage) {
  usage_ = usage;
  found_ = true;
}

void PassthroughUsage::read(const rapidjson::Value& answer) {
  if (!answer.IsObject()) return;
  switch (provider_) {
    case core::ProviderKind::openai:
    case core::ProviderKind::azure:
    case core::ProviderKind::mock: read_openai(answer); break;
    case core::ProviderKind::anthropic: read_anthropic(answer); break;
    case core::ProviderKind::gemini:
      if (const auto* u = object_member(answer, "usageMetadata")) take(providers::gemini::usage_from_gemini(*u));
      break;
    case core::ProviderKind::bedrock: read_bedrock(answer); break;
    case core::ProviderKind::vertex_ai: break;  // answers as Anthropic or Gemini (PassthroughRoute::answer_format)
  }
}

void PassthroughUsage::read_openai(const rapidjson::Value& answer) {
  if (const auto* response = object_member(answer, "response")) {  // Responses API stream events
    read_openai(*response);
    return;
  }
  const auto* u = object_member(answer, "usage");
  if (u == nullptr) return;
  take(u->HasMember("input_tokens") ? providers::usage_from_responses(*u) : providers::usage_from_openai(*u));
}

void PassthroughUsage::read_anthropic(const rapidjson::Value& answer) {
  const auto type = json::string_or(answer, "type");
  if (type == "message_start") {
    if (const auto* message = object_member(answer, "message")) read_anthropic(*message);
    return;
  }
  if (type == "content_block_delta") {
    relayed_text_tokens_ += providers::anthropic_event_text_tokens(answer);
    return;
  }
  if (type == "content_block_start") {
    const auto* block = object_member(answer, "content_block");
    const auto block_type = block ? json::string_or(*block, "type") : std::string_view{};
    if (block_type == "server_tool_use" || block_type == "mcp_tool_use") {
      shown_.tool_called(block_type == "server_tool_use" && json::string_or(*block, "name") == "web_search");
    }
    return;
  }
  const auto* u = object_member(answer, "usage");
  if (u == nullptr) return;
  if (type != "message_delta") {  // a whole message, or message_start's
    take(providers::usage_from_anthropic(*u));
    return;
  }
  // message_delta: the output count so far; the input counts only when it repeats them.
  auto usage = usage_;
  providers::take_anthropic_delta_usage(*u, usage);
  if (u->HasMember("server_tool_use")) shown_.searches_reported();
  if (u->HasMember("input_tokens")) shown_.input_reported();
  take(usage);
}

void PassthroughUsage::read_bedrock(const rapidjson::Value& answer) {
  const auto* u = object_member(answer, "usage");
  if (u == nullptr) return;
  if (u->HasMember("inputTokens")) {
    take(providers::bedrock::usage_from_converse(*u));
  } else {
    read_anthropic(answer);  // /invoke of an Anthropic model answers in Anthropic's format
  }
}

}  // namespace tollgate::api
