#pragma once
// The output tokens charged for a stream cut short (an upstream reset, a client hanging up).
//
// A provider may report its output only at the end of a stream (Anthropic's message_delta;
// message_start says 0 or 1), so the usage seen before a cut can miss everything relayed since,
// and a client hanging up at the last content block would pay for no output at all. The
// gateway's estimate of the text it relayed (core/token_estimate.h) counts when it is more than
// the report, within the completion bound the reservation held, so that the estimate can never
// push a settle past its reservation.
#include <cstdint>
#include <optional>

namespace tollgate::core {

// max(reported, min(relayed_estimate, bound)); nullopt: no bound. A bound of 0 (a request that
// reserved no output) leaves the report alone.
std::int64_t cut_stream_output_tokens(std::int64_t reported, std::int64_t relayed_estimate,
                                      std::optional<std::int64_t> bound);

}  // namespace tollgate::core
