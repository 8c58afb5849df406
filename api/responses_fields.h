#pragma once
// What POST /v1/responses accepts beyond what every inference request needs (a string model,
// a boolean stream). A request is refused (400) when the gateway could not bound its cost
// before the call (docs/budgets.md: the reservation is a true upper bound) or could not charge
// it from the response it relays.
#include <rapidjson/document.h>

#include "core/result.h"

namespace tollgate::api {

// `input` a string or an array (unless a stored `prompt` template stands in for it); no
// `background` run (its usage arrives after the response, where it cannot be settled); tools
// only of type "function" or "custom" (hosted tools such as web_search or file_search add
// per-call fees and retrieved tokens nothing in the request bounds).
core::Status validate_responses_fields(const rapidjson::Value& request);

}  // namespace tollgate::api
