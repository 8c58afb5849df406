#include "providers/anthropic_stream.h"

#include <rapidjson/document.h>

#include "core/json_escape.h"
#include "providers/anthropic_response.h"
#include "providers/json_util.h"

namespace tollgate::providers {
namespace {

std::string quoted(std::string_view s) {
  std::string out;
  core::append_json_string(out, s);
  return out;
}

}  // namespace

AnthropicToOpenAIStream::AnthropicToOpenAIStream(std::string model_group, bool include_usage, std::int64_t created)
    : model_(std::move(model_group)), include_usage_(include_usage), created_(created) {}

std::string AnthropicToOpenAIStream::chunk(const std::string& delta_json, const char* finish_reason) const {
  std::string out = "data: {\"id\":" + quoted(id_) + ",\"object\":\"chat.completion.chunk\",\"created\":" +
                    std::to_string(created_) + ",\"model\":" + quoted(model_) +
                    ",\"choices\":[{\"index\":0,\"delta\":" + delta_json + ",\"finish_reason\":";
  out += finish_reason ? quoted(finish_reason) : "null";
  out += "}]}\n\n";
  return out;
}

std::string AnthropicToOpenAIStream::usage_chunk() const {
  return "data: {\"id\":" + quoted(id_) + ",\"object\":\"chat.completion.chunk\",\"created\":" +
         std::to_string(created_) + ",\"model\":" + quoted(model_) +
         ",\"choices\":[],\"usage\":{\"prompt_tokens\":" + std::to_string(usage_.prompt_tokens) +
         ",\"completion_tokens\":" + std::to_string(usage_.completion_tokens) +
         ",\"total_tokens\":" + std::to_string(usage_.total()) + "}}\n\n";
}

std::string AnthropicToOpenAIStream::on_event(const SseEvent& event) {
  if (finished_) return {};
  rapidjson::Document d;
  d.Parse(event.data.data(), event.data.size());
  if (d.HasParseError() || !d.IsObject()) return {};
  const std::string type = event.event.empty() ? std::string(json::string_or(d, "type")) : event.event;

  if (type == "message_start") {
    if (const auto* message = json::member(d, "message")) {
      id_ = std::string(json::string_or(*message, "id", id_));
      if (const auto* usage = json::member(*message, "usage")) {
        const auto u = usage_from_anthropic(*usage);
        usage_.prompt_tokens = u.prompt_tokens;
        usage_.cached_prompt_tokens = u.cached_prompt_tokens;
        usage_.completion_tokens = u.completion_tokens;
      }
    }
    return chunk(R"({"role":"assistant","content":""})", nullptr);
  }
  if (type == "content_block_start") {
    const auto* block = json::member(d, "content_block");
    if (!block || json::string_or(*block, "type") != "tool_use") return {};
    const int index = static_cast<int>(tool_index_.size());
    tool_index_[json::int_or(d, "index")] = index;
    return chunk(R"({"tool_calls":[{"index":)" + std::to_string(index) + ",\"id\":" +
                     quoted(json::string_or(*block, "id")) + R"(,"type":"function","function":{"name":)" +
                     quoted(json::string_or(*block, "name")) + R"(,"arguments":""}}]})",
                 nullptr);
  }
  if (type == "content_block_delta") {
    const auto* delta = json::member(d, "delta");
    if (!delta) return {};
    const auto kind = json::string_or(*delta, "type");
    if (kind == "text_delta") {
      return chunk("{\"content\":" + quoted(json::string_or(*delta, "text")) + "}", nullptr);
    }
    if (kind == "input_json_delta") {
      const auto it = tool_index_.find(json::int_or(d, "index"));
      const int index = it == tool_index_.end() ? 0 : it->second;
      return chunk(R"({"tool_calls":[{"index":)" + std::to_string(index) + R"(,"function":{"arguments":)" +
                       quoted(json::string_or(*delta, "partial_json")) + "}}]}",
                   nullptr);
    }
    return {};
  }
  if (type == "message_delta") {
    if (const auto* usage = json::member(d, "usage")) {
      usage_.completion_tokens = json::int_or(*usage, "output_tokens", usage_.completion_tokens);
    }
    const auto* delta = json::member(d, "delta");
    const auto stop = delta ? json::string_or(*delta, "stop_reason") : std::string_view{};
    if (stop.empty()) return {};
    const std::string reason(finish_reason_from_anthropic(stop));
    return chunk("{}", reason.c_str());
  }
  if (type == "message_stop") {
    finished_ = true;
    std::string out = include_usage_ ? usage_chunk() : std::string();
    return out + "data: [DONE]\n\n";
  }
  if (type == "error") {
    finished_ = true;
    std::string message = "upstream error";
    if (const auto* error = json::member(d, "error")) message = std::string(json::string_or(*error, "message", message));
    return "data: {\"error\":{\"message\":" + quoted(message) +
           ",\"type\":\"upstream_error\",\"param\":null,\"code\":\"502\"}}\n\ndata: [DONE]\n\n";
  }
  return {};  // ping, content_block_stop
}

}  // namespace tollgate::providers
