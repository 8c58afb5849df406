-- Tollgate schema, version 8: who created each stored Responses API answer, and where.
-- GET/DELETE /v1/responses/{id} (and a POST naming previous_response_id) read it: a key reaches
-- only the responses it created (admins any), on the deployment that holds them. The spend
-- writer inserts a row with the spend log of every successful /v1/responses call, in the same
-- transaction (never a query of its own on the request path); the first writer of an id keeps it.
-- api_key is the creating key's hash ('' for the master key); model_id the deployment's id.
CREATE TABLE response_owners (
  response_id TEXT PRIMARY KEY,
  api_key TEXT NOT NULL,
  team_id TEXT,
  model_group TEXT NOT NULL,
  model_id TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
