#pragma once
// The completion bound of a request, and whether the gateway must write a limit into it. The
// reservation must be a true upper bound (docs/budgets.md), so: the request's own limit when it
// gives one the gateway can read; else the model's known maximum (a provider cannot answer
// longer than its model's maximum, so nothing is written); else the gateway writes a limit
// into the forwarded request and reserves that; a limit the gateway cannot read (1e5, "100", a
// non-object generationConfig) for a model whose maximum is unknown is refused rather than
// overwritten. One decision for the pass-through routes (api/passthrough_routes.cc) and the
// main routes to OpenAI-wire deployments (providers/written_output_limit.h). Pure,
// table-tested (tests/unit/core/output_limit_test.cc).
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/api_error.h"

namespace tollgate::core {

// The limit the gateway writes (and reserves) for a request without one to a model whose
// maximum answer nobody described (no model_info max_output_tokens/max_tokens, not in the
// built-in table). Set model_info.max_output_tokens to allow longer answers.
inline constexpr std::int64_t kWrittenOutputLimit = 4096;

// What a request says about its answer's length, in any wire format.
struct AskedOutputLimit {
  std::optional<std::int64_t> tokens;  // the largest readable positive integer limit
  bool unreadable = false;             // a limit field is present but is no positive integer
};

struct OutputLimitDecision {
  std::int64_t per_choice = 0;          // the most tokens one answer can have
  std::optional<std::int64_t> written;  // the limit the gateway writes into the request
  bool refused = false;                 // unreadable limit, unknown maximum: a 400
};

// `model_max`: the model's known longest answer (model_info, the built-in table), if any;
// `written_limit`: what the gateway writes when the request gives no limit and the maximum is
// unknown; `can_write`: whether this wire format has a field the gateway knows how to write.
OutputLimitDecision decide_output_limit(const AskedOutputLimit& asked, std::optional<std::int64_t> model_max,
                                        std::int64_t written_limit, bool can_write);

// The 400 for a refused decision: `model`'s maximum is unknown and the request's `field` is no
// positive integer.
ApiError unreadable_output_limit(std::string_view model, std::string_view field);

}  // namespace tollgate::core
