#pragma once
// The completion bound of a pass-through call, where the caller writes the request in the
// provider's own format and the gateway may know nothing of the model's longest answer. The
// reservation must still be a true upper bound (docs/budgets.md), so: the request's own limit
// when it gives one the gateway can read; else the model's known maximum; else the gateway
// writes a limit into the forwarded request and reserves that; a limit the gateway cannot read
// (1e5, "100", a non-object generationConfig) for a model whose maximum is unknown is refused
// rather than overwritten. Pure, table-tested (tests/unit/core/output_limit_test.cc).
#include <cstdint>
#include <optional>

namespace tollgate::core {

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
OutputLimitDecision passthrough_output_limit(const AskedOutputLimit& asked, std::optional<std::int64_t> model_max,
                                             std::int64_t written_limit, bool can_write);

}  // namespace tollgate::core
