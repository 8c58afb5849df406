#pragma once
// Query-string arguments of management GET endpoints (page numbers, sizes). Every argument is
// checked by ManagementCall::query, defined here: UTF-8 and no NUL, else a 400 naming it.
#include "api/management/management.h"

namespace tollgate::api {

// The integer query argument `name`, `fallback` when absent; 400 naming it when it is not an
// integer in [min, max].
int query_int(const ManagementCall& call, const char* name, int fallback, int min, int max);

// The argument `name`; 400 naming it when absent or empty.
std::string required_query(const ManagementCall& call, const char* name);
// The argument `name`; an empty value counts as absent (`?organization_id=`).
std::optional<std::string> optional_query(const ManagementCall& call, const char* name);
// The date argument `name` ("2026-11-23", UTC, or unix milliseconds) as unix ms: the start of
// that day, or of the next one with `end_of_day` (an exclusive bound). 400 naming it when it
// is neither.
std::optional<std::int64_t> query_date_ms(const ManagementCall& call, const char* name, bool end_of_day);

}  // namespace tollgate::api
