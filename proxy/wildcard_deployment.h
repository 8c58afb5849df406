#pragma once
// The concrete deployment a wildcard deployment (core/wildcard_model.h) stands for in one
// request: its model with the '*' filled by what the requested name's '*' matched, its price
// that model's. Made per attempt, so the configured deployment stays shared and immutable.
#include <optional>
#include <string_view>

#include "config/config.h"
#include "core/cost_map.h"

namespace tollgate::proxy {

// True when `d`'s model has a '*' to fill (litellm_params.model "openai/*").
bool is_wildcard_deployment(const config::Deployment& d);

// `d` with its model filled with `captured` ("openai/*", "gpt-4o" → upstream "gpt-4o").
config::Deployment concrete_deployment(const config::Deployment& d, std::string_view captured);

}  // namespace tollgate::proxy
