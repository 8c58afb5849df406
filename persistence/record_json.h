#pragma once
// Records as JSON objects: one writer per record type, for both readers of a record, the
// management API's responses (LiteLLM's shapes) and the audit log's before/after values. Keys
// appear by hash and display name only: no record carries a cleartext key.
#include <string>
#include <vector>

#include "core/json_out.h"
#include "persistence/records.h"

namespace tollgate::persistence {

// Who reads the JSON. Both get the same fields in the same order except where named here.
// Timestamps are as the JsonOut writes them: ISO 8601 for the API, the stored unix
// milliseconds in to_json's audit rows.
// - api: also what LiteLLM derives for its clients (a team's `admins` and `members` lists, an
//   organization's members); without the bookkeeping LiteLLM does not show (updated_by of
//   teams, organizations and budgets, created_by of budgets).
// - audit: the record as stored, every bookkeeping field, nothing derived.
enum class RecordView { api, audit };

// The limits' members, in one order, for every JSON view of a record; budget_reset_at as `out`
// writes times.
void write_limit_fields(core::JsonOut& out, const BudgetLimits& limits);

void write_json(core::JsonOut& out, const KeyRecord& key, RecordView view);
void write_json(core::JsonOut& out, const TeamRecord& team, RecordView view);
void write_json(core::JsonOut& out, const UserRecord& user, RecordView view);
// `members` are written by the api view only (the audit row of an organization is the row alone).
void write_json(core::JsonOut& out, const OrganizationRecord& organization, RecordView view,
                const std::vector<OrgMember>& members = {});
void write_json(core::JsonOut& out, const BudgetRecord& budget, RecordView view);
void write_fields(core::JsonOut& out, const EndUserRecord& end_user, RecordView view);
// Never writes auth_value (a credential), in either view.
void write_json(core::JsonOut& out, const McpServerRecord& server, RecordView view);
void write_json(core::JsonOut& out, const OrgMember& member);
// A record's members without the enclosing braces, for responses that add their own.
void write_fields(core::JsonOut& out, const KeyRecord& key, RecordView view);
void write_fields(core::JsonOut& out, const TeamRecord& team, RecordView view);
void write_fields(core::JsonOut& out, const UserRecord& user, RecordView view);
void write_fields(core::JsonOut& out, const OrganizationRecord& organization, RecordView view,
                  const std::vector<OrgMember>& members = {});

// The audit view as text, timestamps in unix milliseconds.
std::string to_json(const KeyRecord& key);
std::string to_json(const TeamRecord& team);
std::string to_json(const UserRecord& user);
std::string to_json(const OrganizationRecord& organization);
std::string to_json(const BudgetRecord& budget);
std::string to_json(const EndUserRecord& end_user);
std::string to_json(const McpServerRecord& server);
// For the audit log: id, name, litellm_params (which holds no key), model_info, times; the
// sealed key is not written, only whether there is one.
std::string to_json(const ModelRecord& model);
std::string to_json(const OrgMember& member);
std::string to_json(const std::string& team_id, const TeamMember& member);

}  // namespace tollgate::persistence
