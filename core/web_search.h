#pragma once
// Web searches run by a provider's server-side tool (Anthropic's web_search_20250305 and its
// later versions) are billed per search on top of tokens: $10 per 1,000 searches. The
// provider reports them in usage.server_tool_use.web_search_requests; the request bounds them
// only through each tool's `max_uses`, which the provider enforces (a search past it is an
// error result, not billed). Nothing else documented bounds them, so a reservation, a true
// upper bound, needs max_uses on every web search tool (docs/budgets.md).
#include <cstdint>
#include <optional>
#include <string_view>

namespace tollgate::core {

// Anthropic's list price of one search (Claude on the Anthropic API and on Vertex AI).
inline constexpr double kWebSearchFeeUsd = 0.01;

// The most searches counted for one request: keeps sums and products from overflowing.
inline constexpr std::int64_t kMaxWebSearches = std::int64_t{1} << 20;

// A tool definition's `type` naming a web search tool: "web_search_<version>" (Anthropic) or
// "web_search" / "web_search_preview" (OpenAI's hosted tool).
bool is_web_search_tool(std::string_view type);

// The searches a tool's max_uses allows: a positive number, rounded up (a lenient reader may
// take 2.5 as 3), at most kMaxWebSearches; nullopt when it bounds nothing (absent, zero,
// negative, not a number).
std::optional<std::int64_t> searches_allowed(std::optional<double> max_uses);

// a + b, at most kMaxWebSearches.
std::int64_t add_searches(std::int64_t a, std::int64_t b);

// What `searches` cost at `fee` each (none when the count is not positive).
double web_search_cost(std::int64_t searches, double fee);

}  // namespace tollgate::core
