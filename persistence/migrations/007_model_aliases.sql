-- Tollgate schema, version 7: model aliases (LiteLLM's `aliases` on a key, `model_aliases` on
-- a team): a JSON object of alias name → model group name, "{}" when there are none.
ALTER TABLE keys ADD COLUMN model_aliases TEXT NOT NULL DEFAULT '{}';
ALTER TABLE teams ADD COLUMN model_aliases TEXT NOT NULL DEFAULT '{}';
