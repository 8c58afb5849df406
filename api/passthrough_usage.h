#pragma once
// The usage a pass-through answer carries, read in the provider's own format as it goes by:
// OpenAI's `usage` (chat, completions, embeddings; the Responses API's, also inside
// response.completed), Anthropic's (message_start, then message_delta's output count),
// Gemini's usageMetadata (the last one seen), Bedrock Converse's `usage` (whole, or the
// stream's metadata event) and an Anthropic body on Bedrock /invoke. The answer is never
// changed: this only looks.
#include <string_view>

#include <rapidjson/document.h>

#include "core/provider_kind.h"
#include "core/usage.h"
#include "providers/shown_server_tools.h"
#include "providers/sse_parser.h"

namespace tollgate::api {

class PassthroughUsage {
 public:
  // `provider`: whose wire format the answer is in (core::PassthroughRoute::answer_format);
  // `web_searches_bound`, `prompt_tokens_bound`: the most web searches and input tokens the
  // request was reserved for (core/web_search.h, core/server_tools.h).
  explicit PassthroughUsage(core::ProviderKind provider, std::int64_t web_searches_bound = 0,
                            std::int64_t prompt_tokens_bound = 0)
      : provider_(provider), shown_(web_searches_bound, prompt_tokens_bound) {}

  void on_body(std::string_view json);              // a whole answer
  void on_event(const providers::SseEvent& event);  // one event of a streamed answer

  bool found() const { return found_; }
  // An Anthropic stream cut before its message_delta is charged the web searches it showed
  // (server_tool_use blocks) and the samplings its tool calls evidence, within the bounds
  // (providers/shown_server_tools.h).
  core::Usage usage() const { return shown_.applied_to(usage_); }
  // A stream cut short: usage() with at least the text it relayed as output, up to
  // `output_bound` when that is above 0. An Anthropic stream reports its output only in
  // message_delta (message_start says 0), so a client hanging up at its last content block
  // would otherwise pay for no output.
  core::Usage usage_cut_short(std::int64_t output_bound) const;

 private:
  void read(const rapidjson::Value& answer);
  void read_openai(const rapidjson::Value& answer);
  void read_anthropic(const rapidjson::Value& answer);
  void read_bedrock(const rapidjson::Value& answer);
  void take(const core::Usage& usage);

  core::ProviderKind provider_;
  providers::ShownServerTools shown_;
  core::Usage usage_;
  bool found_ = false;
  std::int64_t relayed_text_tokens_ = 0;  // Anthropic content_block_delta text seen so far
};

}  // namespace tollgate::api
