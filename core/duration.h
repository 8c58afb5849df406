#pragma once
// LiteLLM-style durations: "30s", "15m", "1h", "7d", "2w", "1mo".
#include <chrono>
#include <optional>
#include <string_view>

namespace tollgate::core {

// Returns the duration, or nullopt when the text is not a positive count followed by a unit.
// A month counts as 30 days (LiteLLM's "mo").
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

}  // namespace tollgate::core
