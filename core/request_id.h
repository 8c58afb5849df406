#pragma once
// Request ids: the client's `x-request-id` when well formed, else a generated one.
#include <string>
#include <string_view>

namespace tollgate::core {

// 1..128 characters from [A-Za-z0-9._:-]; anything else (spaces, quotes, control characters)
// could break log lines or response headers, so it is replaced.
bool is_well_formed_request_id(std::string_view candidate);

// A random UUID (version 4 layout), unique per process without coordination.
std::string generate_request_id();

// A UUID (version 7 layout) whose first 48 bits are the unix time in milliseconds: ids made
// later sort later — strictly, within a process, even in the same millisecond — so a table
// keyed by them grows at its end (spend logs insert without touching random index pages) and
// the spend journal replays its files in the order they were made.
std::string generate_time_ordered_id();

// The client's id when well formed, else a fresh one.
std::string choose_request_id(std::string_view client_supplied);

}  // namespace tollgate::core
