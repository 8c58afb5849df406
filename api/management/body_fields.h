#pragma once
// What a create or update body of a key, team, user, organization or budget may hold, in one
// table per resource, checked in one call. A field outside the table is a 400 (a typo like
// "max_budgt" must not be silently ignored). LiteLLM fields that restrict what the object may
// do (a guardrail, an allowed-routes list, a per-model budget) and that Tollgate accepts for
// compatibility but does not enforce are `unenforced`: silently ignoring one would leave the
// caller believing a restriction holds, so a value that sets anything is a 400 naming the field;
// null and empty values (null, "", [], {} and objects or lists of only such values) pass, as
// LiteLLM's clients send them.
#include <initializer_list>
#include <string_view>

#include "api/management/body_reader.h"

namespace tollgate::api {

struct BodyFields {
  // Applied to the record, besides the budget limits every such body takes (kBudgetLimitFields).
  std::initializer_list<std::string_view> used;
  // LiteLLM's, accepted without effect: nothing is weaker without them.
  std::initializer_list<std::string_view> ignored;
  // LiteLLM's restrictions that Tollgate does not enforce: accepted only when they set nothing.
  std::initializer_list<std::string_view> unenforced;
};

// 400 naming the first field outside `fields`, else the first unenforced field that sets something.
void check_body_fields(const BodyReader& body, const BodyFields& fields);

}  // namespace tollgate::api
