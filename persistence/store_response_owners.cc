// Store: who created each stored Responses API answer (migration 008).
#include "persistence/response_owners.h"
#include "persistence/store.h"

namespace tollgate::persistence {
namespace detail {

std::vector<ResponseOwner> response_owners_of(const std::vector<SpendLogRow>& logs) {
  std::vector<ResponseOwner> owners;
  for (const auto& log : logs) {
    if (log.call_type != kResponsesCallType || log.status != "success" || log.response_id.empty()) continue;
    owners.push_back({log.response_id, log.api_key, log.team_id, log.model_group, log.model_id, log.start_time});
  }
  return owners;
}

std::size_t insert_response_owners(SqlConnection& c, const std::vector<SpendLogRow>& logs) {
  std::size_t statements = 0;
  for (const auto& owner : response_owners_of(logs)) {
    c.execute(
        "INSERT INTO response_owners (response_id, api_key, team_id, model_group, model_id, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (response_id) DO NOTHING",
        {SqlValue(owner.response_id), SqlValue(owner.api_key), sql_text(owner.team_id), SqlValue(owner.model_group),
         SqlValue(owner.model_id), SqlValue(owner.created_at)});
    ++statements;
  }
  return statements;
}

}  // namespace detail

std::optional<ResponseOwner> Store::response_owner(const std::string& response_id) {
  std::scoped_lock lock(mutex_);
  const auto rows = connection_->query(
      "SELECT response_id, api_key, team_id, model_group, model_id, created_at FROM response_owners "
      "WHERE response_id = $1",
      {SqlValue(response_id)});
  if (rows.empty()) return std::nullopt;
  const auto& row = rows.front();
  return ResponseOwner{row.text(0), row.text(1), row.optional_text(2), row.text(3), row.text(4), row.int64(5)};
}

bool Store::forget_response_owner(const std::string& response_id) {
  std::scoped_lock lock(mutex_);
  return connection_->execute("DELETE FROM response_owners WHERE response_id = $1", {SqlValue(response_id)}) > 0;
}

}  // namespace tollgate::persistence
