#include <catch2/catch.hpp>

#include "core/output_limit.h"

using namespace tollgate::core;

TEST_CASE("the pass-through completion bound per answer, and when the gateway writes or refuses a limit",
          "[core][passthrough][budgets]") {
  struct Row {
    AskedOutputLimit asked;
    std::optional<std::int64_t> model_max;
    bool can_write;
    std::int64_t per_choice;
    std::optional<std::int64_t> written;
    bool refused;
  };
  const Row rows[] = {
      // The request's own limit, whatever the model's maximum (above it too: the provider refuses
      // or clamps a larger one, and the reservation stays a bound).
      {{100, false}, std::nullopt, true, 100, std::nullopt, false},
      {{100, false}, 50, true, 100, std::nullopt, false},
      {{100, false}, std::nullopt, false, 100, std::nullopt, false},
      // No limit: the model's known maximum.
      {{std::nullopt, false}, 8192, true, 8192, std::nullopt, false},
      // No limit, unknown maximum: the gateway writes the limit it reserves.
      {{std::nullopt, false}, std::nullopt, true, 4096, 4096, false},
      {{std::nullopt, false}, 0, true, 4096, 4096, false},
      // ... unless the format has no field it can write: refused.
      {{std::nullopt, false}, std::nullopt, false, 0, std::nullopt, true},
      // An unreadable limit ("100000", 1e5): the model's maximum, else refused (never overwritten).
      {{std::nullopt, true}, 8192, true, 8192, std::nullopt, false},
      {{std::nullopt, true}, std::nullopt, true, 0, std::nullopt, true},
      // A readable limit beside an unreadable one: the provider may read either.
      {{100000, true}, 8192, true, 100000, std::nullopt, false},
      {{100, true}, 8192, true, 8192, std::nullopt, false},
      {{100, true}, std::nullopt, true, 0, std::nullopt, true},
  };
  for (const auto& row : rows) {
    INFO("asked " << row.asked.tokens.value_or(-1) << (row.asked.unreadable ? " +unreadable" : "") << ", max "
                  << row.model_max.value_or(-1) << ", can write " << row.can_write);
    const auto d = decide_output_limit(row.asked, row.model_max, 4096, row.can_write);
    CHECK(d.refused == row.refused);
    if (row.refused) continue;
    CHECK(d.per_choice == row.per_choice);
    CHECK(d.written == row.written);
  }
}
