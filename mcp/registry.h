#pragma once
// The registry of upstream MCP servers: a typed CAF actor owns every server's state (its
// upstream client, tool list and health), fetches tool lists when a server is registered,
// every `refresh_interval`, and when the server says notifications/tools/list_changed, and
// publishes an immutable Catalog after each change. The request path only reads the latest
// Catalog; it never waits for the actor. This header keeps CAF out of its includers.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/mcp_server_config.h"
#include "mcp/catalog.h"

namespace tollgate::http {
class HttpClient;
struct OutboundGuard;
}  // namespace tollgate::http

namespace tollgate::mcp {

class Registry {
 public:
  struct Options {
    std::chrono::milliseconds refresh_interval{std::chrono::minutes(5)};
    // Runs on the actor after each change (metrics gauges); must not block.
    std::function<void(const Catalog&)> on_publish;
    // Asks for the store's servers again (set_store_servers answers), at start and every
    // `store_poll_interval`: how changes made through another node arrive. Must not block.
    std::function<void()> poll_store;
    std::chrono::milliseconds store_poll_interval{std::chrono::seconds(5)};
  };
  Registry(std::vector<config::McpServerConfig> servers, http::HttpClient& client, Options options);
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Spawns the actor; it lists every server's tools at once.
  void start();
  // Ends the actor and every upstream session.
  void stop();

  // The latest snapshot (any thread; never null).
  CatalogPtr catalog() const;
  // The SSRF guard of every connection to an admin-registered server (before start(); without
  // one they get the default policy: public addresses only).
  void set_admin_guard(std::shared_ptr<const http::OutboundGuard> guard);
  // The servers registered through the admin API, as the store has them now (any thread). With
  // the config's they make the registry's set: new ones are listed at once, unchanged ones keep
  // their sessions and tools, removed ones are closed. A store server named like a config
  // server is left out (the config's wins; logged).
  void set_store_servers(std::vector<config::McpServerConfig> servers);
  // Lists one server's tools again ("" → every server). Asynchronous.
  void refresh(const std::string& server = "");
  // Waits (tests, start-up) until every server has been listed or has failed once.
  bool wait_listed(std::chrono::milliseconds timeout) const;

  struct Impl;

 private:
  void send_servers(std::vector<config::McpServerConfig> servers);

  std::unique_ptr<Impl> impl_;
};

}  // namespace tollgate::mcp
