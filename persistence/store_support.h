#pragma once
// Helpers shared by the store_*.cc files (not part of the public API).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "persistence/change.h"
#include "persistence/records.h"
#include "persistence/sql.h"

namespace tollgate::persistence::detail {

std::int64_t now_ms();

struct EntityTable {
  const char* table;
  const char* key_column;
  ChangeKind change;  // what a write to the row reports
};
EntityTable entity_table(EntityKind kind);

// LIMIT/OFFSET for a 1-based page; page < 1 reads as 1 and size < 1 as 1.
struct PageWindow {
  std::int64_t limit;
  std::int64_t offset;
};
PageWindow page_window(int page, int size);

// The ids in first-seen order without repeats (a repeated id must not fail an
// all-or-nothing delete as "missing" the second time round).
std::vector<std::string> unique_ids(const std::vector<std::string>& ids);

// What the store knows about a change; the caller's AuditEntry supplies changed_by and
// action (default_action when empty) and may override before/after for single-row changes.
struct AuditFacts {
  std::string_view table_name;
  std::string_view object_id;
  std::string_view default_action;
  std::string before_json;
  std::string after_json;
};

// Inserts one audit_log row. table_name and object_id are always the changed row's; the
// JSON is scrubbed of anything shaped like a credential (`sk-…`, bearer tokens, JWTs) in case
// a caller put request text in it.
void write_audit(SqlConnection& connection, const AuditEntry& entry, AuditFacts facts, bool caller_json_allowed = true);

}  // namespace tollgate::persistence::detail
