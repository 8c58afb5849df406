#pragma once
// What a node registers about itself, and its text form in the registry (a JSON object).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tollgate::cluster {

struct NodeRecord {
  std::string node_id;
  std::string endpoint;            // host:port of its cluster endpoint; empty until configured
  std::int64_t started_at_ms = 0;  // unix milliseconds

  bool operator==(const NodeRecord& other) const {
    return node_id == other.node_id && endpoint == other.endpoint && started_at_ms == other.started_at_ms;
  }
  bool operator!=(const NodeRecord& other) const { return !(*this == other); }
};

// {"node_id":..,"endpoint":..,"started_at_ms":..}
std::string encode_node_record(const NodeRecord& record);
// nullopt when the text is not such an object or its node id is invalid (another program's
// key, a record of an incompatible version).
std::optional<NodeRecord> decode_node_record(std::string_view text);

}  // namespace tollgate::cluster
