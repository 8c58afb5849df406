// GET /health/liveliness, /health/liveness, /_health/live, /health/readiness, /_health/ready
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "api/routes.h"
#include "cluster/membership.h"
#include "mcp/registry.h"

namespace tollgate::api {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// "cluster": this node, every live member (itself included) and the ring they form.
void write_membership(JsonWriter& w, const cluster::Membership& membership) {
  const auto view = membership.view();
  w.Key("cluster");
  w.StartObject();
  w.Key("node_id");
  w.String(membership.self().node_id.c_str());
  w.Key("source");
  w.String(view->source.c_str());
  w.Key("registry");
  w.String(view->registry_ok ? "ok" : "failing");
  if (!view->registry_ok) {
    w.Key("error");
    w.String(view->registry_error.c_str());
  }
  w.Key("members");
  w.StartArray();
  for (const auto& node : view->nodes) {
    w.StartObject();
    w.Key("node_id");
    w.String(node.node_id.c_str());
    w.Key("endpoint");
    w.String(node.endpoint.c_str());
    w.Key("started_at_ms");
    w.Int64(node.started_at_ms);
    w.EndObject();
  }
  w.EndArray();
  w.Key("ring");
  w.StartObject();
  w.Key("members");
  w.Uint64(view->ring.members().size());
  w.Key("version");
  w.Uint64(view->ring_version);
  w.Key("fingerprint");
  w.String(view->ring.fingerprint_hex().c_str());
  w.EndObject();
  w.EndObject();
}

// "mcp_servers": each upstream MCP server's health as its last tools/list found it. Shown, not
// counted in "status": a tool server down does not make the gateway unready for inference.
void write_mcp_servers(JsonWriter& w, const mcp::Registry& registry) {
  const auto catalog = registry.catalog();
  w.Key("mcp_servers");
  w.StartArray();
  for (const auto& server : catalog->servers) {
    w.StartObject();
    w.Key("name");
    w.String(server.config->name.c_str());
    w.Key("transport");
    const auto transport = config::mcp_transport_name(server.config->transport);
    w.String(transport.data(), static_cast<rapidjson::SizeType>(transport.size()));
    w.Key("status");
    w.String(server.checked_at_ms == 0 ? "pending" : server.healthy ? "healthy" : "unhealthy");
    w.Key("tools");
    w.Uint64(server.tools.size());
    if (!server.error.empty()) {
      w.Key("error");
      w.String(server.error.c_str());
    }
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace

void handle_liveness(const http::ExchangePtr& exchange) {
  // LiteLLM answers the JSON string "I'm alive!"; scripts compare against it.
  exchange->respond(http::json_response(200, "\"I'm alive!\""));
}

void handle_readiness(const GatewayContext& context, const http::ExchangePtr& exchange) {
  const auto statuses = context.health->snapshot();
  bool healthy = true;
  for (const auto& dep : statuses) {
    healthy = healthy && dep.result.ok;
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("status");
  w.String(healthy ? "healthy" : "unhealthy");
  w.Key("db");
  const DependencyStatus* db = nullptr;
  const DependencyStatus* redis = nullptr;
  for (const auto& dep : statuses) {
    if (dep.name == "database") db = &dep;
    if (dep.name == "redis") redis = &dep;
  }
  if (db == nullptr) {
    w.String("Not connected");
  } else {
    w.String(db->result.ok ? "connected" : "disconnected");
  }
  w.Key("cache");
  if (redis == nullptr) {
    w.Null();
  } else {
    w.String("redis");
  }
  if (!healthy) {
    w.Key("failing");
    w.StartArray();
    for (const auto& dep : statuses) {
      if (!dep.result.ok) w.String(dep.name.c_str());
    }
    w.EndArray();
  }
  w.Key("checks");
  w.StartObject();
  for (const auto& dep : statuses) {
    w.Key(dep.name.c_str());
    w.StartObject();
    w.Key("status");
    w.String(dep.result.ok ? "ok" : "failing");
    w.Key("backend");
    w.String(dep.backend.c_str());
    w.Key("latency_ms");
    w.Double(dep.result.latency_ms);
    if (!dep.result.ok) {
      w.Key("error");
      w.String(dep.result.error.c_str());
    }
    w.EndObject();
  }
  w.EndObject();
  if (context.membership != nullptr) write_membership(w, *context.membership);
  if (context.mcp_registry != nullptr) write_mcp_servers(w, *context.mcp_registry);
  w.Key("tollgate_version");
  w.String(TOLLGATE_VERSION);
  w.EndObject();
  exchange->respond(http::json_response(healthy ? 200 : 503, std::string(buffer.GetString(), buffer.GetSize())));
}

}  // namespace tollgate::api
