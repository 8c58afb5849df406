#pragma once
// The response owners (migration 008): which spend logs create one, and how a batch of them is
// written. Used by the store's spend functions inside their transactions.
#include <cstddef>
#include <vector>

#include "persistence/records.h"
#include "persistence/sql.h"

namespace tollgate::persistence::detail {

// The call type of a /v1/responses spend log (LiteLLM's name).
constexpr const char* kResponsesCallType = "aresponses";

// The owners the logs create (pure): one per successful /v1/responses log with a response id.
std::vector<ResponseOwner> response_owners_of(const std::vector<SpendLogRow>& logs);

// Inserts the logs' owners (ON CONFLICT DO NOTHING: the first writer of an id keeps it);
// returns the statements executed.
std::size_t insert_response_owners(SqlConnection& connection, const std::vector<SpendLogRow>& logs);

}  // namespace tollgate::persistence::detail
