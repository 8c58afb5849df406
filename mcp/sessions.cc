#include "mcp/sessions.h"

#include <openssl/rand.h>

#include <stdexcept>

namespace tollgate::mcp {
namespace {

std::string random_id() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("no randomness for an MCP session id");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(32);
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

}  // namespace

std::optional<std::string> SessionTable::create(std::string owner, std::string scope, std::string protocol_version) {
  const auto now = std::chrono::steady_clock::now();
  auto id = random_id();
  std::lock_guard lock(mutex_);
  if (sessions_.size() >= max_sessions_) sweep(now);
  if (sessions_.size() >= max_sessions_) return std::nullopt;
  sessions_[id] = Session{std::move(owner), std::move(scope), std::move(protocol_version), now};
  return id;
}

std::optional<Session> SessionTable::use(std::string_view id, std::string_view owner, std::string_view scope) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(std::string(id));
  if (it == sessions_.end()) return std::nullopt;
  if (now - it->second.last_used > idle_limit_) {
    sessions_.erase(it);
    return std::nullopt;
  }
  if (it->second.owner != owner || it->second.scope != scope) return std::nullopt;
  it->second.last_used = now;
  return it->second;
}

bool SessionTable::end(std::string_view id, std::string_view owner, std::string_view scope) {
  if (!use(id, owner, scope)) return false;
  std::lock_guard lock(mutex_);
  sessions_.erase(std::string(id));
  return true;
}

std::size_t SessionTable::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

void SessionTable::sweep(std::chrono::steady_clock::time_point now) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = now - it->second.last_used > idle_limit_ ? sessions_.erase(it) : std::next(it);
  }
}

}  // namespace tollgate::mcp
