#pragma once
// Parses a request body once, at the edge: a JSON object, nested at most `max_depth` levels
// (general_settings.max_json_depth), every string valid UTF-8. A failure is a 400 naming the
// problem, the field where it happened and the byte offset.
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "core/result.h"

namespace tollgate::api {

// Fills `doc`, or returns the 400 saying why the body is not such a JSON object.
core::Status parse_json_object(std::string_view body, rapidjson::Document& doc, int max_depth);

// A 400 naming `field` when `text` holds a NUL (U+0000). Ids, aliases, emails and model names
// must not: SQLite reads text back only up to a NUL (an alias would silently be cut short) and
// PostgreSQL refuses it.
core::Status refuse_nul(std::string_view text, const std::string& field);

}  // namespace tollgate::api
