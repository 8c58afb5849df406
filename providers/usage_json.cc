#include "providers/usage_json.h"

#include <algorithm>

namespace tollgate::providers {

core::Usage usage_from_anthropic(const rapidjson::Value& usage) {
  core::Usage u;
  u.cached_prompt_tokens = json::int_or(usage, "cache_read_input_tokens");
  u.cache_creation_prompt_tokens = json::int_or(usage, "cache_creation_input_tokens");
  u.prompt_tokens = json::int_or(usage, "input_tokens") + u.cached_prompt_tokens + u.cache_creation_prompt_tokens;
  u.completion_tokens = json::int_or(usage, "output_tokens");
  u.web_search_requests = web_search_requests(usage);
  return u;
}

std::int64_t web_search_requests(const rapidjson::Value& usage, std::int64_t otherwise) {
  const auto* server_tools = json::member(usage, "server_tool_use");
  return server_tools ? json::int_or(*server_tools, "web_search_requests", otherwise) : otherwise;
}

void take_anthropic_delta_usage(const rapidjson::Value& delta_usage, core::Usage& running) {
  running.completion_tokens = json::int_or(delta_usage, "output_tokens", running.completion_tokens);
  running.web_search_requests = web_search_requests(delta_usage, running.web_search_requests);
  if (!delta_usage.HasMember("input_tokens")) return;
  running.cached_prompt_tokens = json::int_or(delta_usage, "cache_read_input_tokens", running.cached_prompt_tokens);
  running.cache_creation_prompt_tokens =
      json::int_or(delta_usage, "cache_creation_input_tokens", running.cache_creation_prompt_tokens);
  running.prompt_tokens =
      json::int_or(delta_usage, "input_tokens") + running.cached_prompt_tokens + running.cache_creation_prompt_tokens;
}

core::Usage usage_from_openai(const rapidjson::Value& usage) {
  core::Usage u;
  u.prompt_tokens = json::int_or(usage, "prompt_tokens");
  u.completion_tokens = json::int_or(usage, "completion_tokens");
  if (const auto* details = json::member(usage, "prompt_tokens_details")) {
    u.cached_prompt_tokens = json::int_or(*details, "cached_tokens");
    u.audio_prompt_tokens = json::int_or(*details, "audio_tokens");
  }
  if (const auto* details = json::member(usage, "completion_tokens_details")) {
    u.reasoning_tokens = json::int_or(*details, "reasoning_tokens");
    u.audio_completion_tokens = json::int_or(*details, "audio_tokens");
  }
  return u;
}

core::Usage usage_from_responses(const rapidjson::Value& usage) {
  core::Usage u;
  u.prompt_tokens = json::int_or(usage, "input_tokens");
  u.completion_tokens = json::int_or(usage, "output_tokens");
  if (const auto* details = json::member(usage, "input_tokens_details")) {
    u.cached_prompt_tokens = json::int_or(*details, "cached_tokens");
  }
  if (const auto* details = json::member(usage, "output_tokens_details")) {
    u.reasoning_tokens = json::int_or(*details, "reasoning_tokens");
  }
  return u;
}

void write_openai_usage(json::Writer& w, const core::Usage& usage) {
  w.StartObject();
  w.Key("prompt_tokens");
  w.Int64(usage.prompt_tokens);
  w.Key("completion_tokens");
  w.Int64(usage.completion_tokens);
  w.Key("total_tokens");
  w.Int64(usage.total());
  if (usage.cached_prompt_tokens > 0) {
    w.Key("prompt_tokens_details");
    w.StartObject();
    w.Key("cached_tokens");
    w.Int64(usage.cached_prompt_tokens);
    w.EndObject();
  }
  w.EndObject();
}

void write_anthropic_usage(json::Writer& w, const core::Usage& usage) {
  // A provider reporting more cached tokens than prompt tokens is wrong; never go negative.
  const auto cached = std::max<std::int64_t>(0, std::min(usage.cached_prompt_tokens, usage.prompt_tokens));
  const auto created =
      std::max<std::int64_t>(0, std::min(usage.cache_creation_prompt_tokens, usage.prompt_tokens - cached));
  w.StartObject();
  w.Key("input_tokens");
  w.Int64(usage.prompt_tokens - cached - created);
  w.Key("output_tokens");
  w.Int64(usage.completion_tokens);
  if (cached > 0) {
    w.Key("cache_read_input_tokens");
    w.Int64(cached);
  }
  if (created > 0) {
    w.Key("cache_creation_input_tokens");
    w.Int64(created);
  }
  w.EndObject();
}

}  // namespace tollgate::providers
