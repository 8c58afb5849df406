#pragma once
// What an Anthropic stream has shown of the provider's server tool loop (server_tool_use and
// mcp_tool_use blocks), for a stream cut before its message_delta reports the loop's totals:
// - each web search it showed ran and is billed, at most the searches the request was reserved
//   for (core/web_search.h);
// - message_start reports only the first sampling's input, while every sampling is billed:
//   the samplings the tool calls evidence are charged (core::unreported_samplings_input), at
//   most the input the request was reserved for (core/server_tools.h).
// One rule for the relayed /v1/messages stream (providers/response_relay.cc) and the
// pass-through's (api/passthrough_usage.h).
#include <algorithm>
#include <cstdint>

#include "core/server_tools.h"
#include "core/usage.h"

namespace tollgate::providers {

class ShownServerTools {
 public:
  // The request's reservation: the most web searches and input tokens it can be charged.
  ShownServerTools(std::int64_t web_searches_bound, std::int64_t prompt_tokens_bound)
      : searches_bound_(web_searches_bound), prompt_bound_(prompt_tokens_bound) {}

  // A server tool call block started (`web_search`: Anthropic's web search tool).
  void tool_called(bool web_search) {
    ++calls_;
    if (web_search) ++searches_;
  }
  // A message_delta's usage carried server_tool_use: its count is the truth.
  void searches_reported() { searches_reported_ = true; }
  // A message_delta's usage carried input_tokens: every sampling's input, the truth.
  void input_reported() { input_reported_ = true; }

  // `usage` (message_start's, and message_delta's so far) with what was shown and not reported.
  core::Usage applied_to(core::Usage usage) const {
    if (!searches_reported_ && searches_ > 0) usage.web_search_requests = std::min(searches_, searches_bound_);
    if (!input_reported_ && calls_ > 0) {
      usage.prompt_tokens = core::unreported_samplings_input(usage.prompt_tokens, calls_, prompt_bound_);
    }
    return usage;
  }

 private:
  std::int64_t searches_bound_;
  std::int64_t prompt_bound_;
  std::int64_t calls_ = 0;
  std::int64_t searches_ = 0;
  bool searches_reported_ = false;
  bool input_reported_ = false;
};

}  // namespace tollgate::providers
