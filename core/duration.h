#pragma once
// LiteLLM-style durations: "30s", "15m", "1h", "7d", "2w", "1mo".
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tollgate::core {

// Returns the duration, or nullopt when the text is not a positive count followed by a unit.
// A month counts as 30 days (LiteLLM's "mo").
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

// A record's budget_duration as the period of its budget resets, in milliseconds; nullopt when
// it has none. One that does not parse (input validation refuses them) is 0: the budget resets
// once and not again.
std::optional<std::int64_t> reset_period_ms(const std::optional<std::string>& budget_duration);

}  // namespace tollgate::core
