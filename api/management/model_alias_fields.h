#pragma once
// The model aliases of a management body: LiteLLM's `aliases` on /key/generate and
// /key/update, `model_aliases` on /team/new and /team/update (core/model_alias.h).
#include <optional>

#include "api/management/body_reader.h"
#include "core/model_alias.h"

namespace tollgate::api {

// nullopt when absent; {} for null (clears them); 400 naming `name` unless an object of
// non-empty alias names to non-empty model group names.
std::optional<core::ModelAliases> model_aliases_field(const BodyReader& body, const char* name);

}  // namespace tollgate::api
