#pragma once
// Anthropic's Messages API: `x-api-key`, a versioned API, max_tokens always set.
#include "providers/provider.h"

namespace tollgate::providers {

const Provider& anthropic_provider();

}  // namespace tollgate::providers
