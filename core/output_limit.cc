#include "core/output_limit.h"

#include <algorithm>

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

}  // namespace tollgate::core
