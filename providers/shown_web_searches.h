#pragma once
// The web searches an Anthropic stream has shown (server_tool_use blocks calling web_search),
// for a stream cut before its message_delta reports `server_tool_use.web_search_requests`:
// each search it showed ran and is billed, at most the bound the request was reserved for
// (core/web_search.h). One rule for the relayed /v1/messages stream (providers/response_relay.cc)
// and the pass-through's (api/passthrough_usage.h).
#include <algorithm>
#include <cstdint>

#include "core/usage.h"

namespace tollgate::providers {

class ShownWebSearches {
 public:
  explicit ShownWebSearches(std::int64_t bound) : bound_(bound) {}

  void search_started() { ++seen_; }
  // A message_delta's usage carried server_tool_use: its count is the truth.
  void reported() { reported_ = true; }

  // `usage` with the searches shown when none were reported.
  core::Usage applied_to(core::Usage usage) const {
    if (!reported_ && seen_ > 0) usage.web_search_requests = std::min(seen_, bound_);
    return usage;
  }

 private:
  std::int64_t bound_;
  std::int64_t seen_ = 0;
  bool reported_ = false;
};

}  // namespace tollgate::providers
