#pragma once
// Parses a request body once; a parse failure becomes a 400 naming the offset.
#include <optional>
#include <string_view>

#include <rapidjson/document.h>

#include "core/api_error.h"

namespace tollgate::api {

// Returns an error when the body is not a JSON object.
std::optional<core::ApiError> parse_json_object(std::string_view body, rapidjson::Document& doc);

}  // namespace tollgate::api
