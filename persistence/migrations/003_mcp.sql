-- Tollgate schema, version 3: MCP servers registered through the admin API (/v1/mcp/server)
-- and the MCP part of LiteLLM's object_permission on keys and teams.

-- auth_value is the upstream's credential: the API never returns it and the audit log never
-- holds it. Lists are JSON text, as in every other table.
CREATE TABLE mcp_servers (
  server_id TEXT PRIMARY KEY,
  server_name TEXT NOT NULL UNIQUE,
  alias TEXT,
  description TEXT,
  url TEXT NOT NULL,
  transport TEXT NOT NULL,
  auth_type TEXT NOT NULL,
  auth_value TEXT,
  mcp_access_groups TEXT NOT NULL DEFAULT '[]',
  allowed_tools TEXT NOT NULL DEFAULT '[]',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by TEXT,
  updated_by TEXT
);

-- {"mcp_servers":[…],"mcp_access_groups":[…],"mcp_tool_permissions":{server:[tool…]}};
-- NULL = the key or team sets no permission.
ALTER TABLE keys ADD COLUMN object_permission TEXT;
ALTER TABLE teams ADD COLUMN object_permission TEXT;
