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
}

namespace tollgate::mcp {

class Registry {
 public:
  struct Options {
    std::chrono::milliseconds refresh_interval{std::chrono::minutes(5)};
    // Runs on the actor after each change (metrics gauges); must not block.
    std::function<void(const Catalog&)> on_publish;
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
  // Replaces the set of servers (config reload, store changes): new ones are listed at once,
  // unchanged ones keep their sessions and tools, removed ones are closed.
  void set_servers(std::vector<config::McpServerConfig> servers);
  // Lists one server's tools again ("" → every server). Asynchronous.
  void refresh(const std::string& server = "");
  // Waits (tests, start-up) until every server has been listed or has failed once.
  bool wait_listed(std::chrono::milliseconds timeout) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace tollgate::mcp
