#include "cluster/node_record.h"

#include "core/json_out.h"
#include "core/json_parse.h"
#include "core/node_address.h"

namespace tollgate::cluster {

std::string encode_node_record(const NodeRecord& record) {
  core::JsonOut out;
  out.begin_object()
      .field("node_id", record.node_id)
      .field("endpoint", record.endpoint)
      .field("started_at_ms", record.started_at_ms)
      .end_object();
  return out.str();
}

std::optional<NodeRecord> decode_node_record(std::string_view text) {
  rapidjson::Document doc;
  if (core::parse_json(text, doc) || !doc.IsObject()) return std::nullopt;
  const auto id = doc.FindMember("node_id");
  const auto endpoint = doc.FindMember("endpoint");
  const auto started = doc.FindMember("started_at_ms");
  if (id == doc.MemberEnd() || !id->value.IsString() || endpoint == doc.MemberEnd() || !endpoint->value.IsString() ||
      started == doc.MemberEnd() || !started->value.IsInt64()) {
    return std::nullopt;
  }
  NodeRecord record{id->value.GetString(), endpoint->value.GetString(), started->value.GetInt64()};
  if (!core::is_valid_node_id(record.node_id)) return std::nullopt;
  return record;
}

}  // namespace tollgate::cluster
