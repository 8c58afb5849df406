#include "core/output_limit.h"

#include <algorithm>
#include <string>

namespace tollgate::core {

OutputLimitDecision decide_output_limit(const AskedOutputLimit& asked, std::optional<std::int64_t> model_max,
                                        std::int64_t written_limit, bool can_write) {
  OutputLimitDecision d;
  // A readable limit bounds the answer only when no other limit field could be read instead:
  // beside an unreadable one, a lenient provider may take the unreadable one.
  if (asked.tokens && !asked.unreadable) {
    d.per_choice = *asked.tokens;
    return d;
  }
  if (model_max && *model_max > 0) {
    d.per_choice = asked.tokens ? std::max(*asked.tokens, *model_max) : *model_max;
    return d;
  }
  if (asked.unreadable || asked.tokens || !can_write) {
    d.refused = true;
    return d;
  }
  d.per_choice = written_limit;
  d.written = written_limit;
  return d;
}

ApiError unreadable_output_limit(std::string_view model, std::string_view field) {
  return bad_request("The model '" + std::string(model) +
                         "' has no known maximum output: to bound its cost the gateway needs the request's " +
                         std::string(field) +
                         " as a positive integer (or model_info.max_output_tokens on a deployment of the model)",
                     std::string(field));
}

}  // namespace tollgate::core
