#pragma once
// The gateway's own MCP sessions (Mcp-Session-Id): created by initialize, bound to the key
// that created them and to the endpoint path (/mcp or /mcp/<server>), ended by DELETE or after
// an hour unused. A session id presented with another key or path is unknown there (404), so
// an id that leaks is worth nothing without its key.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tollgate::mcp {

struct Session {
  std::string owner;  // who initialized it: the key's hash, or "master_key"
  std::string scope;  // "" for /mcp, else the server of /mcp/<server>
  std::string protocol_version;
  std::chrono::steady_clock::time_point last_used;
};

class SessionTable {
 public:
  explicit SessionTable(std::chrono::milliseconds idle_limit = std::chrono::hours(1),
                        std::size_t max_sessions = 100'000)
      : idle_limit_(idle_limit), max_sessions_(max_sessions) {}

  // A new session's id (128 bits from the CSPRNG, hex), or nullopt when the table is full of
  // sessions still in use.
  std::optional<std::string> create(std::string owner, std::string scope, std::string protocol_version);
  // The session when it exists, is not idle past the limit, and belongs to `owner` and `scope`.
  std::optional<Session> use(std::string_view id, std::string_view owner, std::string_view scope);
  // Ends it; false when `use` would not have found it.
  bool end(std::string_view id, std::string_view owner, std::string_view scope);
  std::size_t size() const;

 private:
  void sweep(std::chrono::steady_clock::time_point now);

  std::chrono::milliseconds idle_limit_;
  std::size_t max_sessions_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Session> sessions_;
};

}  // namespace tollgate::mcp
