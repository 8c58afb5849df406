-- Tollgate schema, version 6: end users (LiteLLM's customers, LiteLLM_EndUserTable), named by
-- a request's `user` field or x-litellm-end-user-id header. Their limits are columns of their
-- own, as for users and teams; budget_id links a shared budget whose limits fill the unset ones.
-- A row also appears on the first spend of an end user nobody created (record_spend upserts).
CREATE TABLE end_users (
  user_id TEXT PRIMARY KEY,
  alias TEXT,
  spend DOUBLE PRECISION NOT NULL DEFAULT 0,
  blocked INTEGER NOT NULL DEFAULT 0,
  budget_id TEXT,
  allowed_model_region TEXT,
  default_model TEXT,
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
CREATE INDEX end_users_budget_idx ON end_users (budget_id);
