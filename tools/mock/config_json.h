#pragma once
// The JSON of POST /_mock/config: which defaults a test changes at runtime.
#include <string>
#include <string_view>

#include "tools/mock/behavior.h"

namespace tollgate::mock {

// Applies the fields of a JSON object (any of latency_ms, chunks, chunk_interval_ms,
// response_bytes, fail_rate, fail_status, token_count) to `defaults`. Returns an error message and leaves
// `defaults` untouched when the body is not such an object or a value is out of range.
std::string apply_config_json(std::string_view body, Defaults& defaults);

void append_config_json(std::string& out, const Defaults& defaults);

}  // namespace tollgate::mock
