#pragma once
// The Store: the one persistence API every caller uses, on PostgreSQL or SQLite alike.
//
// Blocking: callers run it on dedicated threads / detached actors, never on I/O threads.
// Thread-safe: one connection per Store, calls are serialized by an internal mutex (open
// several Stores for parallelism). Every multi-statement method is one transaction, and every
// mutating management method writes its audit row inside that same transaction.
//
// Errors: DuplicateError (unique key taken), ConflictError (related rows forbid the change),
// StoreError (anything else, e.g. the database is unreachable). See docs/storage.md.
//
// Changes: every committed management write is reported to the ChangeListener, if one is set
// (persistence/change.h): the node's caches drop what changed. Spend (record_spend, and
// reset_spend without an audit entry) is not reported: the budget owners hold it.
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "persistence/change.h"
#include "persistence/migrations.h"
#include "persistence/records.h"
#include "persistence/spend_log_source.h"
#include "persistence/sql.h"

namespace tollgate::persistence {

struct KeyFilter {
  std::optional<std::string> user_id;
  std::optional<std::string> team_id;
  std::optional<std::string> organization_id;
  std::optional<std::string> key_alias;
  // Scoping for non-admin callers: when either list is non-empty, only keys whose user_id is
  // in user_ids_any OR whose team_id is in team_ids_any are listed.
  std::vector<std::string> user_ids_any;
  std::vector<std::string> team_ids_any;
};

struct KeyPage {
  std::vector<KeyRecord> keys;  // newest first
  std::int64_t total_count = 0;
};

struct UserFilter {
  std::optional<std::string> role;             // user_role
  std::optional<std::string> organization_id;  // users.organization_id or org membership
  std::optional<std::string> team_id;          // team membership
};

struct UserPage {
  std::vector<UserRecord> users;  // newest first
  std::int64_t total_count = 0;
};

// Time bounds are on start_time: [start_ms, end_ms).
struct SpendLogFilter {
  std::optional<std::string> api_key;  // the key's hash
  std::optional<std::string> user_id;
  std::optional<std::string> team_id;
  std::optional<std::string> request_id;  // the log's call id or its response id
  std::optional<std::int64_t> start_ms;
  std::optional<std::int64_t> end_ms;
};

// The daily rollups of days [first_day, last_day]; an empty list matches every value.
struct DailySpendFilter {
  std::int64_t first_day = 0;
  std::int64_t last_day = 0;
  std::vector<std::string> user_ids;
  std::vector<std::string> team_ids;
  std::vector<std::string> api_keys;  // hashes
  std::optional<std::string> model;   // the model group the client asked for
};

class Store {
 public:
  explicit Store(std::unique_ptr<SqlConnection> connection);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // postgres:// or postgresql:// URL -> PostgreSQL; empty -> the SQLite file at sqlite_path.
  // Connects (throws StoreError) but does not migrate.
  static std::unique_ptr<Store> open(const std::string& database_url_or_empty, const std::string& sqlite_path);

  std::string backend() const;  // "postgresql" | "sqlite"
  // Set once, before the Store is used; null reports nothing.
  void set_change_listener(ChangeListener* listener) { changes_ = listener; }
  MigrationResult migrate();

  // ---- keys (by token_hash) ----
  // Timestamps left at 0 are set to now. Throws DuplicateError when the hash exists.
  KeyRecord insert_key(const KeyRecord& key, const AuditEntry& audit);
  std::optional<KeyRecord> find_key(const std::string& token_hash);
  // page is 1-based; keys newest first.
  KeyPage list_keys(const KeyFilter& filter, int page, int size);
  // Replaces every mutable column (not spend, created_at, created_by). False when missing.
  bool update_key(const KeyRecord& updated, const AuditEntry& audit);
  // Moves the row to replacement.token_hash (and its other mutable columns) in one
  // transaction: the old hash stops existing as the new one appears; spend carries over.
  bool regenerate_key(const std::string& old_hash, const KeyRecord& replacement, const AuditEntry& audit);
  // All or nothing: when any hash is missing nothing is deleted and the result is false.
  // One audit row per key, from `audit_template`.
  bool delete_keys(const std::vector<std::string>& hashes, const AuditEntry& audit_template);
  bool set_key_blocked(const std::string& token_hash, bool blocked, const AuditEntry& audit);
  std::vector<KeyRecord> keys_of_team(const std::string& team_id);
  std::vector<KeyRecord> keys_of_user(const std::string& user_id);

  // ---- teams ----
  // Stores team.members too. The organization, when set, must exist (ConflictError).
  TeamRecord insert_team(const TeamRecord& team, const AuditEntry& audit);
  std::optional<TeamRecord> find_team(const std::string& team_id);  // with members
  std::vector<TeamRecord> list_teams(const std::optional<std::string>& organization_id = std::nullopt,
                                     const std::optional<std::string>& member_user_id = std::nullopt);
  // Replaces the mutable columns; members and spend are left alone.
  bool update_team(const TeamRecord& team, const AuditEntry& audit);
  // All or nothing. Deletes the teams, their memberships and their keys (a key of a deleted
  // team could never pass the team checks again); returns the deleted keys' hashes, or nullopt
  // (nothing deleted) when any team is missing.
  std::optional<std::vector<std::string>> delete_teams(const std::vector<std::string>& team_ids,
                                                       const AuditEntry& audit_template);
  // Adds the member or changes its role. False when the team does not exist.
  bool add_team_member(const std::string& team_id, const TeamMember& member, const AuditEntry& audit);
  bool remove_team_member(const std::string& team_id, const std::string& user_id, const AuditEntry& audit);

  // ---- users ----
  // Throws DuplicateError for a taken user_id or user_email.
  UserRecord insert_user(const UserRecord& user, const AuditEntry& audit);
  std::optional<UserRecord> find_user(const std::string& user_id);
  std::optional<UserRecord> find_user_by_email(const std::string& email);
  UserPage list_users(const UserFilter& filter, int page, int size);
  bool update_user(const UserRecord& user, const AuditEntry& audit);
  // All or nothing; removes the users' team and organization memberships. Their keys stay
  // (see delete_users_and_keys).
  bool delete_users(const std::vector<std::string>& user_ids, const AuditEntry& audit_template);
  // As delete_users, and deletes the users' keys in the same transaction (what LiteLLM's
  // /user/delete does); returns their hashes, or nullopt when any user is missing.
  std::optional<std::vector<std::string>> delete_users_and_keys(const std::vector<std::string>& user_ids,
                                                                const AuditEntry& audit_template);
  // (team_id, role) pairs.
  std::vector<std::pair<std::string, std::string>> teams_of_user(const std::string& user_id);
  std::vector<OrgMember> organizations_of_user(const std::string& user_id);

  // ---- organizations ----
  OrganizationRecord insert_organization(const OrganizationRecord& organization, const AuditEntry& audit);
  std::optional<OrganizationRecord> find_organization(const std::string& organization_id);
  std::vector<OrganizationRecord> list_organizations(const std::optional<std::string>& member_user_id = std::nullopt);
  bool update_organization(const OrganizationRecord& organization, const AuditEntry& audit);
  // All or nothing: false when any is missing; throws ConflictError (nothing deleted) when
  // any still has teams, which must be deleted or moved first. Memberships go with the org.
  bool delete_organizations(const std::vector<std::string>& organization_ids, const AuditEntry& audit_template);
  // Adds the member or changes its role. False when the organization does not exist.
  bool add_organization_member(const std::string& organization_id, const OrgMember& member, const AuditEntry& audit);
  bool remove_organization_member(const std::string& organization_id, const std::string& user_id,
                                  const AuditEntry& audit);
  std::vector<OrgMember> organization_members(const std::string& organization_id);

  // ---- budgets ----
  BudgetRecord insert_budget(const BudgetRecord& budget, const AuditEntry& audit);
  std::optional<BudgetRecord> find_budget(const std::string& budget_id);
  std::vector<BudgetRecord> list_budgets();
  bool update_budget(const BudgetRecord& budget, const AuditEntry& audit);
  // False when missing; throws ConflictError while a key or organization uses it.
  bool delete_budget(const std::string& budget_id, const AuditEntry& audit);

  // ---- end users (LiteLLM's customers, /customer/*) ----
  // Throws DuplicateError for a taken user_id.
  EndUserRecord insert_end_user(const EndUserRecord& end_user, const AuditEntry& audit);
  std::optional<EndUserRecord> find_end_user(const std::string& user_id);
  std::vector<EndUserRecord> list_end_users();  // by user_id
  // Replaces the mutable columns (not spend, created_at). False when missing.
  bool update_end_user(const EndUserRecord& end_user, const AuditEntry& audit);
  // All or nothing: false (nothing deleted) when any is missing.
  bool delete_end_users(const std::vector<std::string>& user_ids, const AuditEntry& audit_template);
  // Sets `blocked` on each, creating the ones that do not exist (LiteLLM's /customer/block
  // upserts), in one transaction; returns the rows as they are now.
  std::vector<EndUserRecord> set_end_users_blocked(const std::vector<std::string>& user_ids, bool blocked,
                                                   const AuditEntry& audit_template);

  // ---- MCP servers (/v1/mcp/server) ----
  // Throws DuplicateError when the id or the name is taken.
  McpServerRecord insert_mcp_server(const McpServerRecord& server, const AuditEntry& audit);
  std::optional<McpServerRecord> find_mcp_server(const std::string& server_id);
  std::optional<McpServerRecord> find_mcp_server_by_name(const std::string& server_name);
  std::vector<McpServerRecord> list_mcp_servers();  // by name
  // Replaces every mutable column (not created_at, created_by). False when missing; throws
  // DuplicateError when renamed to a taken name.
  bool update_mcp_server(const McpServerRecord& server, const AuditEntry& audit);
  bool delete_mcp_server(const std::string& server_id, const AuditEntry& audit);

  // ---- models (/model/new, store_model_in_db) ----
  // Throws DuplicateError when the id is taken.
  ModelRecord insert_model(const ModelRecord& model, const AuditEntry& audit);
  std::optional<ModelRecord> find_model(const std::string& model_id);
  std::vector<ModelRecord> list_models();  // by model_name, then model_id
  // Replaces every mutable column (not created_at, created_by). False when missing.
  bool update_model(const ModelRecord& model, const AuditEntry& audit);
  bool delete_model(const std::string& model_id, const AuditEntry& audit);

  // ---- spend ----
  // One transaction: the logs (PostgreSQL: multi-row INSERTs of 200 rows, a remainder in
  // power-of-two sizes; SQLite: one row each; ON CONFLICT (request_id) DO NOTHING) and one `spend = spend + x` UPDATE
  // per entity (increments are summed per entity first and applied in a fixed order, so concurrent flushes cannot
  // deadlock). Retry safety: when the batch has logs and every one of them already exists, the batch was committed
  // before (an identical retry after an unknown outcome), so the increments are skipped too. Returns the number of
  // INSERT/UPDATE statements executed.
  std::size_t record_spend(const std::vector<SpendLogRow>& logs, const std::vector<SpendIncrement>& increments);
  // The spend journal's marker (spend/spend_journal.h): the last journal sequence number a
  // batch holds, committed in the batch's own transaction.
  struct JournalMark {
    std::string journal_id;
    std::int64_t seq = 0;
  };
  struct SpendCommit {
    bool written = false;  // false: the mark shows the batch was committed before
    std::size_t statements = 0;
  };
  // One transaction: record_spend's logs and increments, then the resets (applied after them),
  // then the mark. When the store holds this journal's mark at `seq` or later, the batch was
  // committed before (a crash came between the commit and the journal's clean-up) and nothing
  // is written: a replay never counts anything twice.
  // The logs are read from `logs` a chunk at a time (a statement's worth), once.
  SpendCommit commit_spend_batch(SpendLogSource& logs, const std::vector<SpendIncrement>& increments,
                                 const std::vector<SpendReset>& resets, const std::optional<JournalMark>& mark);
  SpendCommit commit_spend_batch(const std::vector<SpendLogRow>& logs, const std::vector<SpendIncrement>& increments,
                                 const std::vector<SpendReset>& resets, const std::optional<JournalMark>& mark);
  // The last sequence number committed for the journal; 0 when none was.
  std::int64_t journal_committed_seq(const std::string& journal_id);
  // Drops the journal's mark once none of its files is left.
  void forget_journal(const std::string& journal_id);
  // Newest first (by start_time).
  std::vector<SpendLogRow> spend_logs(const SpendLogFilter& filter, int limit);
  // The daily rollups the filter selects, by day then key then model. The spend writer's
  // batches add to them in the transaction that inserts their logs.
  std::vector<DailySpendRow> daily_spend(const DailySpendFilter& filter);
  // Sum over spend_logs with start_time in [start_ms, end_ms).
  double total_spend(std::optional<std::int64_t> start_ms = std::nullopt,
                     std::optional<std::int64_t> end_ms = std::nullopt);
  // spend = 0 and, when given, budget_reset_at = next_reset_at. False when missing.
  bool reset_spend(EntityKind kind, const std::string& id, std::optional<std::int64_t> next_reset_at);
  bool reset_spend(EntityKind kind, const std::string& id, std::optional<std::int64_t> next_reset_at,
                   const AuditEntry& audit);
  // Sets spend to an absolute value (e.g. /key/update {"spend": …}). False when missing.
  bool set_spend(EntityKind kind, const std::string& id, double spend, const AuditEntry& audit);
  std::optional<double> entity_spend(EntityKind kind, const std::string& id);

  // ---- response owners (migration 008) ----
  // Rows are written by record_spend / commit_spend_batch from the logs of successful
  // /v1/responses calls (call_type "aresponses") that carry a response id.
  std::optional<ResponseOwner> response_owner(const std::string& response_id);
  // After the upstream deleted the response. False when there was no row.
  bool forget_response_owner(const std::string& response_id);

  // ---- audit ----
  // A change made outside the store (a config reload): one row as given (entry.table_name and
  // object_id name what changed).
  void record_audit(const AuditEntry& entry);
  // Newest first; all objects when object_id is nullopt.
  std::vector<AuditRecord> audit_log(const std::optional<std::string>& object_id, int limit);

 private:
  std::vector<std::string> delete_keys_where(const std::string& column, const std::vector<std::string>& values,
                                             const AuditEntry& audit_template);
  std::optional<std::vector<std::string>> delete_users_locked(const std::vector<std::string>& user_ids,
                                                              const AuditEntry& audit_template, bool with_keys);
  bool reset_spend_locked(EntityKind kind, const std::string& id, std::optional<std::int64_t> next_reset_at,
                          const AuditEntry* audit);

  std::unique_ptr<SqlConnection> connection_;
  ChangeListener* changes_ = nullptr;
  std::mutex mutex_;
};

}  // namespace tollgate::persistence
