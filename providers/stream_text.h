#pragma once
// How much generated text an upstream stream event carries. A stream cut short (the client left,
// the upstream broke) never gets the provider's final usage, yet the tokens sent so far were
// generated and billed by the provider: the gateway charges them from this count, so hanging
// up just before the end is not a way around a budget.
#include <cstdint>
#include <string_view>

#include <rapidjson/fwd.h>

#include "providers/upstream_request.h"

namespace tollgate::providers {

// Typical tokens (core/token_estimate.h) of the generated text (content, reasoning, tool-call
// arguments) in one SSE event's data, for an upstream speaking `api`; 0 for anything else
// (role chunks, usage, [DONE], pings).
std::int64_t stream_event_text_tokens(Api api, std::string_view data);

// The same for one Anthropic stream event already parsed (a content_block_delta's text,
// partial_json or thinking; 0 for any other event).
std::int64_t anthropic_event_text_tokens(const rapidjson::Value& event);

}  // namespace tollgate::providers
