-- Tollgate schema, version 4: models managed at run time (/model/new, /model/update,
-- /model/delete with general_settings.store_model_in_db: true), LiteLLM's ProxyModelTable.

-- litellm_params holds the entry's parameters WITHOUT its credential; the provider key is in
-- api_key_sealed only, AES-256-GCM under the salt key (core/secret_box.h). model_info holds
-- the entry's model_info with its id. Both are JSON text, as in every other table.
CREATE TABLE models (
  model_id TEXT PRIMARY KEY,
  model_name TEXT NOT NULL,
  litellm_params TEXT NOT NULL,
  model_info TEXT NOT NULL,
  api_key_sealed TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by TEXT,
  updated_by TEXT
);
CREATE INDEX models_model_name ON models (model_name);
