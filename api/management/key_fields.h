#pragma once
// Applying /key/generate and /key/update bodies to a key record.
#include <chrono>

#include "api/management/body_reader.h"
#include "persistence/records.h"

namespace tollgate::api {

// Fields a request may set on a key, and the LiteLLM ones accepted but not used.
extern const std::initializer_list<std::string_view> kKeyFields;
extern const std::initializer_list<std::string_view> kIgnoredKeyFields;

// True when the body touches a field that grants more (budget, limits, models, owner, team…).
bool touches_limit_fields(const BodyReader& body);

// Sets every present field on `key` (null clears an optional). `now_ms` anchors `duration`
// and `budget_duration`.
void apply_key_fields(const BodyReader& body, persistence::KeyRecord& key, std::int64_t now_ms);

std::int64_t now_unix_ms();

}  // namespace tollgate::api
