-- Tollgate schema, version 1. One file serves PostgreSQL and SQLite, so only the common subset
-- of SQL is used. Conventions: timestamps are BIGINT unix milliseconds, booleans INTEGER 0/1,
-- money DOUBLE PRECISION, lists and JSON objects TEXT holding JSON. Column names follow
-- LiteLLM's schema where it has the field. The AUTO_ID placeholder (in double braces) is the
-- one per-backend piece (an auto-incrementing primary key), substituted by migrations.cc.

CREATE TABLE budgets (
  budget_id TEXT PRIMARY KEY,
  max_budget DOUBLE PRECISION,
  soft_budget DOUBLE PRECISION,
  max_parallel_requests BIGINT,
  tpm_limit BIGINT,
  rpm_limit BIGINT,
  budget_duration TEXT,
  budget_reset_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by TEXT,
  updated_by TEXT
);

CREATE TABLE organizations (
  organization_id TEXT PRIMARY KEY,
  organization_alias TEXT NOT NULL,
  budget_id TEXT,
  models TEXT NOT NULL DEFAULT '[]',
  spend DOUBLE PRECISION NOT NULL DEFAULT 0,
  max_budget DOUBLE PRECISION,
  budget_duration TEXT,
  budget_reset_at BIGINT,
  rpm_limit BIGINT,
  tpm_limit BIGINT,
  max_parallel_requests BIGINT,
  metadata TEXT NOT NULL DEFAULT '{}',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by TEXT,
  updated_by TEXT
);
CREATE INDEX organizations_budget_idx ON organizations (budget_id);

CREATE TABLE organization_members (
  organization_id TEXT NOT NULL REFERENCES organizations (organization_id) ON DELETE CASCADE,
  user_id TEXT NOT NULL,
  user_role TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX organization_members_user_idx ON organization_members (user_id);

-- A team's organization must exist and cannot be deleted while it has teams.
CREATE TABLE teams (
  team_id TEXT PRIMARY KEY,
  team_alias TEXT,
  organization_id TEXT REFERENCES organizations (organization_id),
  models TEXT NOT NULL DEFAULT '[]',
  spend DOUBLE PRECISION NOT NULL DEFAULT 0,
  max_budget DOUBLE PRECISION,
  budget_duration TEXT,
  budget_reset_at BIGINT,
  rpm_limit BIGINT,
  tpm_limit BIGINT,
  max_parallel_requests BIGINT,
  blocked INTEGER NOT NULL DEFAULT 0,
  team_member_permissions TEXT NOT NULL DEFAULT '[]',
  metadata TEXT NOT NULL DEFAULT '{}',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by TEXT,
  updated_by TEXT
);
CREATE INDEX teams_organization_idx ON teams (organization_id);

-- Members are not tied to users rows by a foreign key: LiteLLM lets a team name a user id
-- before (or without) that user existing; delete_users removes memberships explicitly.
CREATE TABLE team_members (
  team_id TEXT NOT NULL REFERENCES teams (team_id) ON DELETE CASCADE,
  user_id TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'user')),
  created_at BIGINT NOT NULL,
  PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user_idx ON team_members (user_id);

CREATE TABLE users (
  user_id TEXT PRIMARY KEY,
  user_alias TEXT,
  user_email TEXT UNIQUE,
  user_role TEXT NOT NULL,
  organization_id TEXT,
  models TEXT NOT NULL DEFAULT '[]',
  spend DOUBLE PRECISION NOT NULL DEFAULT 0,
  max_budget DOUBLE PRECISION,
  budget_duration TEXT,
  budget_reset_at BIGINT,
  rpm_limit BIGINT,
  tpm_limit BIGINT,
  max_parallel_requests BIGINT,
  metadata TEXT NOT NULL DEFAULT '{}',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX users_organization_idx ON users (organization_id);

-- token_hash is the lowercase hex SHA-256 of the key; the cleartext is never stored.
CREATE TABLE keys (
  token_hash TEXT PRIMARY KEY,
  key_name TEXT NOT NULL,
  key_alias TEXT,
  user_id TEXT,
  team_id TEXT,
  organization_id TEXT,
  budget_id TEXT,
  models TEXT NOT NULL DEFAULT '[]',
  spend DOUBLE PRECISION NOT NULL DEFAULT 0,
  max_budget DOUBLE PRECISION,
  soft_budget DOUBLE PRECISION,
  budget_duration TEXT,
  budget_reset_at BIGINT,
  rpm_limit BIGINT,
  tpm_limit BIGINT,
  max_parallel_requests BIGINT,
  model_rpm_limit TEXT NOT NULL DEFAULT '{}',
  model_tpm_limit TEXT NOT NULL DEFAULT '{}',
  expires_at BIGINT,
  blocked INTEGER NOT NULL DEFAULT 0,
  metadata TEXT NOT NULL DEFAULT '{}',
  service_account INTEGER NOT NULL DEFAULT 0,
  created_by TEXT,
  updated_by TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX keys_user_idx ON keys (user_id);
CREATE INDEX keys_team_idx ON keys (team_id);
CREATE INDEX keys_alias_idx ON keys (key_alias);
CREATE INDEX keys_budget_idx ON keys (budget_id);

-- request_id must be non-empty: it is what makes a retried flush idempotent.
CREATE TABLE spend_logs (
  request_id TEXT PRIMARY KEY CHECK (request_id <> ''),
  call_type TEXT NOT NULL,
  api_key TEXT NOT NULL,
  spend DOUBLE PRECISION NOT NULL DEFAULT 0,
  prompt_tokens BIGINT NOT NULL DEFAULT 0,
  completion_tokens BIGINT NOT NULL DEFAULT 0,
  total_tokens BIGINT NOT NULL DEFAULT 0,
  start_time BIGINT NOT NULL,
  end_time BIGINT NOT NULL,
  model TEXT NOT NULL,
  model_group TEXT NOT NULL,
  model_id TEXT NOT NULL,
  provider TEXT NOT NULL,
  user_id TEXT,
  team_id TEXT,
  organization_id TEXT,
  end_user TEXT,
  status TEXT NOT NULL,
  metadata TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX spend_logs_start_time_idx ON spend_logs (start_time);
CREATE INDEX spend_logs_api_key_idx ON spend_logs (api_key);

CREATE TABLE audit_log (
  id {{AUTO_ID}},
  changed_by TEXT NOT NULL,
  action TEXT NOT NULL,
  table_name TEXT NOT NULL,
  object_id TEXT NOT NULL,
  before_value TEXT,
  updated_values TEXT,
  created_at BIGINT NOT NULL
);
CREATE INDEX audit_log_object_idx ON audit_log (object_id);
