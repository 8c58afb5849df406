#pragma once
// How deep JSON the gateway accepts may nest (see core/json_parse.h for why there is a limit).

namespace tollgate::core {

// The default of general_settings.max_json_depth, and the limit for JSON that no setting
// covers (tool-call arguments inside a body, upstream replies). The root is level 1.
inline constexpr int kDefaultMaxJsonDepth = 64;

// The most general_settings.max_json_depth may allow: RapidJSON copies and serializes
// documents recursively, and this many levels stay far from any thread's stack size.
inline constexpr int kMaxConfigurableJsonDepth = 1000;

}  // namespace tollgate::core
