#pragma once
// What one node tells the others about a committed transaction: its changes as they are
// (persistence/change.h), who sent them and when. Pure: text in, text out (docs/cluster.md,
// "Change fan-out").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "persistence/change.h"

namespace tollgate::cluster {

struct ChangeMessage {
  std::string node_id;               // the sender's configured name, for logs
  std::uint64_t instance = 0;        // random per process start: tells a node its own messages apart
  std::uint64_t sequence = 0;        // 1, 2, 3… per instance; a jump means a message was lost
  std::int64_t committed_at_us = 0;  // wall clock (µs since the epoch) when the change committed
  std::vector<persistence::Change> changes;

  bool operator==(const ChangeMessage& other) const {
    return node_id == other.node_id && instance == other.instance && sequence == other.sequence &&
           committed_at_us == other.committed_at_us && changes == other.changes;
  }
};

// One JSON object: {"v":1,"node":…,"instance":"<16 hex>","seq":…,"at_us":…,"changes":[{"kind":"key","ids":[…]}]}
std::string encode(const ChangeMessage& message);
// nullopt for anything that is not such an object, including a kind this node does not know
// (a newer node's): the receiver then cannot tell what changed and must treat it as lost.
std::optional<ChangeMessage> decode(std::string_view text);

}  // namespace tollgate::cluster
