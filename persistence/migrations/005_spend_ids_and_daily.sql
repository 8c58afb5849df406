-- Tollgate schema, version 5: LiteLLM's spend-log request ids and the daily spend rollups.

-- A spend log's request_id stays the gateway's own call id (the x-litellm-call-id header), so
-- the primary key never collides when an upstream reuses its response ids; response_id holds
-- the id of the answer the client received (chatcmpl-…, msg_…), which LiteLLM reports as the
-- log's request_id. /spend/logs?request_id= finds a log by either.
ALTER TABLE spend_logs ADD COLUMN response_id TEXT;
CREATE INDEX spend_logs_response_id_idx ON spend_logs (response_id);

-- Spend per UTC day, key, user, team, organization, end user and model: what
-- /user/daily/activity, /team/daily/activity and /global/spend/report read (LiteLLM's
-- LiteLLM_Daily*Spend tables in one). day counts days since 1970-01-01 (start_time / 86400000,
-- the same integer arithmetic on both stores). The spend writer adds to it in the transaction
-- that inserts the logs; an entity a log does not name is ''. Filled here from the logs so far.
CREATE TABLE daily_spend (
  day BIGINT NOT NULL,
  api_key TEXT NOT NULL,
  user_id TEXT NOT NULL,
  team_id TEXT NOT NULL,
  organization_id TEXT NOT NULL,
  end_user TEXT NOT NULL,
  model TEXT NOT NULL,
  model_group TEXT NOT NULL,
  provider TEXT NOT NULL,
  spend DOUBLE PRECISION NOT NULL DEFAULT 0,
  prompt_tokens BIGINT NOT NULL DEFAULT 0,
  completion_tokens BIGINT NOT NULL DEFAULT 0,
  api_requests BIGINT NOT NULL DEFAULT 0,
  successful_requests BIGINT NOT NULL DEFAULT 0,
  failed_requests BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (day, api_key, user_id, team_id, organization_id, end_user, model, model_group, provider)
);
CREATE INDEX daily_spend_user_idx ON daily_spend (user_id, day);
CREATE INDEX daily_spend_team_idx ON daily_spend (team_id, day);

INSERT INTO daily_spend (day, api_key, user_id, team_id, organization_id, end_user, model, model_group, provider,
                         spend, prompt_tokens, completion_tokens, api_requests, successful_requests, failed_requests)
SELECT start_time / 86400000, api_key, COALESCE(user_id, ''), COALESCE(team_id, ''), COALESCE(organization_id, ''),
       COALESCE(end_user, ''), model, model_group, provider, SUM(spend), SUM(prompt_tokens), SUM(completion_tokens),
       COUNT(*), SUM(CASE WHEN status = 'success' THEN 1 ELSE 0 END),
       SUM(CASE WHEN status = 'success' THEN 0 ELSE 1 END)
FROM spend_logs
GROUP BY start_time / 86400000, api_key, COALESCE(user_id, ''), COALESCE(team_id, ''), COALESCE(organization_id, ''),
         COALESCE(end_user, ''), model, model_group, provider;
