#pragma once
// What a committed write changed, as plain data: the kind of entity and its ids. The store
// reports the changes of every committed transaction to one ChangeListener set at start-up;
// the node's key cache drops exactly what changed, and the cluster will publish the same data
// to the other nodes (docs/storage.md, "Change events").
#include <string>
#include <vector>

namespace tollgate::persistence {

// Memberships are reported as changes of the member user (its actor lists its teams and
// organizations) and, for teams, of the team too (a TeamRecord carries its members; an
// OrganizationRecord does not).
// No ids: any of that kind may have changed (identity::KeyCacheInvalidator::missed_changes);
// the store itself always names what it changed.
enum class ChangeKind {
  key,           // ids: token hashes; a regenerated key names its old and its new hash
  user,          // ids: user ids
  team,          // ids: team ids
  organization,  // ids: organization ids
  budget,        // ids: budget ids
  mcp_server,    // ids: MCP server ids (/v1/mcp/server)
  model,         // ids: model ids (/model/new ...); none = reload every stored model
  end_user,      // ids: end-user ids (/customer/*); none = every end user
};

struct Change {
  ChangeKind kind = ChangeKind::key;
  std::vector<std::string> ids;  // each once, in the order the transaction changed them

  bool operator==(const Change& other) const { return kind == other.kind && ids == other.ids; }
};

class ChangeListener {
 public:
  virtual ~ChangeListener() = default;
  // Once per committed transaction that changed anything, never for one rolled back. Runs on
  // the thread that committed, before the Store call returns, so whatever the caller answers
  // next already sees the change; it must be quick, must not throw and must not call the Store.
  virtual void committed(const std::vector<Change>& changes) noexcept = 0;
};

}  // namespace tollgate::persistence
