#pragma once
// Applying /key/generate and /key/update bodies to a key record.
#include <chrono>

#include "api/management/body_fields.h"
#include "api/management/body_reader.h"
#include "persistence/records.h"

namespace tollgate::api {

// What a /key/generate, /key/update or /key/regenerate body may hold.
extern const BodyFields kKeyBody;

// True when the body touches a field that grants more (budget, limits, models, owner, team…).
bool touches_limit_fields(const BodyReader& body);

// Sets every present field on `key` (null clears an optional). `now_ms` anchors `duration`
// and `budget_duration`.
void apply_key_fields(const BodyReader& body, persistence::KeyRecord& key, std::int64_t now_ms);

std::int64_t now_unix_ms();

}  // namespace tollgate::api
