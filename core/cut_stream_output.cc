#include "core/cut_stream_output.h"

#include <algorithm>

namespace tollgate::core {

std::int64_t cut_stream_output_tokens(std::int64_t reported, std::int64_t relayed_estimate,
                                      std::optional<std::int64_t> bound) {
  const auto relayed = bound ? std::min(relayed_estimate, *bound) : relayed_estimate;
  return std::max(reported, relayed);
}

}  // namespace tollgate::core
