// The output charged for a stream cut short (core/cut_stream_output.h).
#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "core/cut_stream_output.h"

using namespace tollgate::core;

TEST_CASE("a cut stream's output is the larger of the report and the relayed text, within the bound",
          "[core][cut_stream]") {
  struct Row {
    std::int64_t reported;
    std::int64_t relayed_estimate;
    std::optional<std::int64_t> bound;
    std::int64_t charged;
  };
  const Row rows[] = {
      {0, 0, 100, 0},        // nothing relayed, nothing reported
      {0, 40, 100, 40},      // Anthropic before message_delta: reported 0, the relayed text counts
      {1, 40, 100, 40},      // message_start's 1
      {60, 40, 100, 60},     // a report above the estimate wins
      {0, 150, 100, 100},    // the estimate never passes the bound the reservation held
      {120, 150, 100, 120},  // a provider's own report is taken as it is
      {0, 150, 0, 0},        // no output reserved: the estimate adds nothing
      {30, 150, 0, 30},
      {0, 150, std::nullopt, 150},  // no bound (a pass-through without one)
      {30, 10, std::nullopt, 30},
  };
  for (const auto& row : rows) {
    INFO("reported " << row.reported << ", relayed " << row.relayed_estimate << ", bound "
                     << (row.bound ? std::to_string(*row.bound) : "none"));
    CHECK(cut_stream_output_tokens(row.reported, row.relayed_estimate, row.bound) == row.charged);
  }
}
