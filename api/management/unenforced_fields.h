#pragma once
// LiteLLM fields that restrict what a key, team, user, organization or budget may do, and that
// Tollgate accepts for compatibility but does not enforce. Silently ignoring one would leave the
// caller believing a restriction holds (a guardrail, an allowed-routes list, a per-model
// budget), so a value that sets anything is a 400 naming the field; null and empty values
// (null, "", [], {} and objects or lists of only such values) pass, as LiteLLM's clients send them.
#include <initializer_list>
#include <string_view>

#include "api/management/body_reader.h"

namespace tollgate::api {

extern const std::initializer_list<std::string_view> kUnenforcedKeyRestrictions;
extern const std::initializer_list<std::string_view> kUnenforcedTeamRestrictions;
extern const std::initializer_list<std::string_view> kUnenforcedUserRestrictions;
extern const std::initializer_list<std::string_view> kUnenforcedOrganizationRestrictions;
extern const std::initializer_list<std::string_view> kUnenforcedBudgetRestrictions;

void reject_unenforced(const BodyReader& body, std::initializer_list<std::string_view> fields);

}  // namespace tollgate::api
