// /v1/mcp/server (POST create, PUT update, GET list, GET /{server_id}, DELETE /{server_id}):
// LiteLLM's MCP server management, proxy_admin only (viewers may read) through core/authz.
// Every URL is checked against the SSRF policy when it is registered: the URL itself
// (core::check_url) and every address its host resolves to; the outbound client checks the
// address again when it connects (http/outbound_guard.h). auth_value is a credential: it is
// stored sealed under the salt key (core/secret_box.h; refused without one), never answered,
// logged or written to the audit log.
#include <algorithm>

#include "api/management/body_fields.h"
#include "api/management/key_fields.h"
#include "api/management/lookups.h"
#include "api/management/management.h"
#include "api/management/render.h"
#include "api/management_routes.h"
#include "core/ascii_case.h"
#include "core/secret_box.h"
#include "core/ssrf_policy.h"
#include "http/upstream_url.h"
#include "persistence/errors.h"
#include "persistence/store.h"
#include "telemetry/log.h"

namespace tollgate::api {
namespace {

using persistence::McpServerRecord;
using persistence::Store;

// LiteLLM's fields; the unenforced ones change what reaches or may use the server, so a value
// that sets one is refused rather than ignored (docs/mcp.md, "Admin API").
const BodyFields kServerBody = {
    {"server_id", "server_name", "alias", "description", "url", "transport", "auth_type", "auth_value", "credentials",
     "mcp_access_groups", "allowed_tools"},
    {"mcp_info", "tool_name_to_display_name", "tool_name_to_description", "status", "last_health_check",
     "health_check_error", "litellm_changed_by"},
    {"disallowed_tools", "allow_all_keys", "static_headers", "extra_headers", "available_on_public_internet", "command",
     "args", "env", "authorization_url", "token_url", "registration_url"}};

const char* const kAuthTypes[] = {"none", "api_key", "bearer_token", "basic", "authorization"};

void require_server_right(const ManagementCall& call, core::Action action) {
  core::Target target;
  target.resource = core::Resource::mcp_server;
  require(core::decide(call.caller.actor, action, target), "MCP servers");
}

[[noreturn]] void throw_ssrf_blocked(const ManagementCall& call, const std::string& reason) {
  telemetry::log_warn("mcp_server_ssrf_blocked", {{"request_id", call.exchange.request_id()}, {"reason", reason}});
  throw HttpError(core::ApiError{400, reason, "ssrf_blocked", "url", {}, {}});
}

bool same_target(const http::UpstreamUrl& upstream, const core::UrlTarget& target) {
  if (upstream.tls != target.tls || upstream.port != target.port) return false;
  if (target.literal) return core::parse_ip(upstream.host) == target.literal;
  auto host = core::ascii_lower(upstream.host);
  if (!host.empty() && host.back() == '.') host.pop_back();
  return host == target.host;
}

// The URL as an administrator may register it: the policy's check of the text, then of every
// address the host resolves to now (the client checks again at every connect).
void check_url_reachable(const ManagementCall& call, const std::string& url) {
  const auto& context = call.context;
  const auto verdict = core::check_url(context.mcp_ssrf_policy, url);
  if (!verdict.target) throw_ssrf_blocked(call, verdict.reason);
  const auto upstream = http::parse_upstream_url(url);
  if (!upstream) throw_bad_request("'url' is not a URL the gateway can call", "url");
  // The client connects to what parse_upstream_url reads: it must be what the policy checked.
  if (!same_target(*upstream, *verdict.target)) {
    throw_ssrf_blocked(
        call, "the URL's host reads differently to the policy and to the client (" + verdict.target->host + ")");
  }
  if (verdict.target->literal) return;
  const auto resolver = context.host_resolver ? context.host_resolver : http::system_resolver();
  const auto& host = verdict.target->host;
  const auto resolution = resolver->resolve(host);
  if (resolution.addresses.empty()) {
    throw_ssrf_blocked(call, "host " + host + " does not resolve" +
                                 (resolution.error.empty() ? std::string() : ": " + resolution.error));
  }
  for (const auto& address : resolution.addresses) {
    const auto checked = core::check_address(context.mcp_ssrf_policy, address);
    if (!checked.allowed) throw_ssrf_blocked(call, "host " + host + " resolves to " + checked.reason);
  }
}

// Server names prefix tool names as "<server>-<tool>" (split at the first '-'), so a name
// holds the MCP tool-name characters except '-'.
void check_server_name(const std::string& name) {
  const auto allowed = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
  };
  if (name.empty() || name.size() > 64 || !std::all_of(name.begin(), name.end(), allowed)) {
    throw_bad_request("'server_name' must be 1 to 64 characters of A-Z, a-z, 0-9, '_' and '.'", "server_name");
  }
}

std::optional<std::string> credential(const BodyReader& body) {
  if (auto value = body.string("auth_value")) return value;
  const auto* credentials = body.raw("credentials");
  if (!credentials || credentials->IsNull()) return std::nullopt;
  if (!credentials->IsObject()) throw_bad_request("'credentials' must be an object", "credentials");
  BodyReader nested(*credentials);
  nested.reject_unknown({"auth_value"});
  return nested.string("auth_value");
}

std::string sealed_credential(const ManagementCall& call, const std::string& value) {
  if (!call.context.store_secrets) {
    throw_bad_request(
        "storing an MCP server's credential needs a salt key to seal it with: set general_settings.salt_key or "
        "LITELLM_SALT_KEY",
        "auth_value");
  }
  return call.context.store_secrets->seal(value);
}

void apply_server_fields(const ManagementCall& call, McpServerRecord& server) {
  const auto& body = call.body;
  if (auto name = body.string("server_name")) server.server_name = *name;
  if (body.has("alias") || body.is_null("alias")) server.alias = body.string("alias");
  if (body.has("description") || body.is_null("description")) server.description = body.string("description");
  if (auto url = body.string("url")) server.url = *url;
  if (auto transport = body.string("transport")) server.transport = *transport;
  if (auto auth_type = body.string("auth_type")) server.auth_type = *auth_type;
  if (auto value = credential(body)) server.auth_value_sealed = sealed_credential(call, *value);
  if (body.is_null("auth_value")) server.auth_value_sealed.reset();
  if (auto groups = body.strings("mcp_access_groups")) server.mcp_access_groups = *groups;
  if (auto tools = body.strings("allowed_tools")) server.allowed_tools = *tools;

  check_server_name(server.server_name);
  if (server.transport == "stdio") {
    throw_bad_request("stdio servers run a command on the gateway host: configure them in the config file",
                      "transport");
  }
  if (server.transport != "http" && server.transport != "sse") {
    throw_bad_request("'transport' must be \"http\" or \"sse\"", "transport");
  }
  if (std::find(std::begin(kAuthTypes), std::end(kAuthTypes), server.auth_type) == std::end(kAuthTypes)) {
    throw_bad_request("'auth_type' must be one of none, api_key, bearer_token, basic, authorization", "auth_type");
  }
  if (server.auth_type != "none" && !server.auth_value_sealed) {
    throw_bad_request("'auth_type' " + server.auth_type + " needs 'auth_value'", "auth_value");
  }
}

void require_unique_name(Store& store, const McpServerRecord& server) {
  const auto holder = store.find_mcp_server_by_name(server.server_name);
  if (holder && holder->server_id != server.server_id) {
    throw HttpError(core::conflict("an MCP server named '" + server.server_name + "' already exists"));
  }
}

McpServerRecord load_server(Store& store, const std::string& server_id) {
  auto server = store.find_mcp_server(server_id);
  if (!server) throw_not_found("MCP server '" + server_id + "' not found");
  return std::move(*server);
}

std::string server_json(const McpServerRecord& server) {
  JsonOut o;
  persistence::write_json(o, server, persistence::RecordView::api);
  return o.str();
}

// A duplicate that slipped past require_unique_name (two concurrent creates) is a 409 too.
template <class Write>
auto conflict_on_duplicate(const McpServerRecord& server, Write&& write) {
  try {
    return write();
  } catch (const persistence::DuplicateError&) {
    throw HttpError(core::conflict("an MCP server named '" + server.server_name + "' or with id '" + server.server_id +
                                   "' already exists"));
  }
}

http::Response create(Store& store, const ManagementCall& call) {
  check_body_fields(call.body, kServerBody);
  require_server_right(call, core::Action::create);
  McpServerRecord server;
  server.server_id = call.body.string("server_id").value_or(new_id());
  if (server.server_id.empty()) throw_bad_request("'server_id' must not be empty", "server_id");
  server.transport = "sse";  // LiteLLM's API default
  server.server_name = call.body.required_string("server_name");
  call.body.required_string("url");
  apply_server_fields(call, server);
  check_url_reachable(call, server.url);
  if (store.find_mcp_server(server.server_id)) {
    throw HttpError(core::conflict("an MCP server with id '" + server.server_id + "' already exists"));
  }
  require_unique_name(store, server);
  server.created_by = call.changed_by();
  server.updated_by = server.created_by;
  const auto stored =
      conflict_on_duplicate(server, [&] { return store.insert_mcp_server(server, call.audit("created")); });
  return json_ok(server_json(stored));
}

http::Response update(Store& store, const ManagementCall& call) {
  check_body_fields(call.body, kServerBody);
  require_server_right(call, core::Action::update);
  auto server = load_server(store, call.body.required_string("server_id"));
  apply_server_fields(call, server);
  check_url_reachable(call, server.url);  // also an unchanged one: the policy or DNS may have changed
  require_unique_name(store, server);
  server.updated_by = call.changed_by();
  const bool updated =
      conflict_on_duplicate(server, [&] { return store.update_mcp_server(server, call.audit("updated")); });
  if (!updated) throw_not_found("MCP server '" + server.server_id + "' not found");
  return json_ok(server_json(load_server(store, server.server_id)));
}

http::Response list(Store& store, const ManagementCall& call) {
  require_server_right(call, core::Action::read);
  JsonOut o;
  o.begin_array();
  for (const auto& server : store.list_mcp_servers()) persistence::write_json(o, server, persistence::RecordView::api);
  o.end_array();
  return json_ok(o.str());
}

http::Response info(Store& store, const ManagementCall& call) {
  require_server_right(call, core::Action::read);
  return json_ok(server_json(load_server(store, std::string(call.exchange.param("server_id")))));
}

http::Response remove(Store& store, const ManagementCall& call) {
  require_server_right(call, core::Action::remove);
  const auto server = load_server(store, std::string(call.exchange.param("server_id")));
  if (!store.delete_mcp_server(server.server_id, call.audit("deleted"))) {
    throw_not_found("MCP server '" + server.server_id + "' not found");
  }
  return json_ok(server_json(server));
}

}  // namespace

void register_mcp_server_routes(http::Router& router, const GatewayContext& context) {
  using http::Method;
  auto add = [&](Method method, const char* path, ManagementWork work) {
    router.add(method, path, [&context, work](const http::ExchangePtr& ex) { run_management(context, ex, work); });
  };
  add(Method::post, "/v1/mcp/server", create);
  add(Method::put, "/v1/mcp/server", update);
  add(Method::get, "/v1/mcp/server", list);
  add(Method::get, "/v1/mcp/server/{server_id}", info);
  add(Method::delete_, "/v1/mcp/server/{server_id}", remove);
}

}  // namespace tollgate::api
