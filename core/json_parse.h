#pragma once
// The one JSON parse for text the gateway did not write itself (request bodies, JSON embedded
// in them, upstream replies). It never recurses, so no nesting can exhaust the stack, and it
// refuses nesting deeper than a limit, so nothing that walks the document afterwards (copies,
// re-serialization: RapidJSON recurses there) can go deeper than that limit either. With
// `validate_utf8` every string and member name must be UTF-8 (raw bytes and \u escapes alike):
// a store must never see bytes it cannot keep.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "core/json_limits.h"

namespace tollgate::core {

struct JsonParseOptions {
  int max_depth = kDefaultMaxJsonDepth;  // the root object or array is level 1
  bool validate_utf8 = true;
  bool stop_when_done = false;  // accept text after the first complete value
};

struct JsonParseError {
  std::string message;  // for the client: the problem, where, and the byte offset
  std::string field;    // the member where it happened ("metadata.tags[2]"); empty at the root
  std::size_t offset = 0;
};

// Fills `doc` and returns nothing, or returns why not (then `doc` is left as it was).
std::optional<JsonParseError> parse_json(std::string_view text, rapidjson::Document& doc,
                                         const JsonParseOptions& options = {});

}  // namespace tollgate::core
