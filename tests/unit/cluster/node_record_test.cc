// A node's registry record: round trip, and refusal of what is not one.
#include <catch2/catch.hpp>

#include "cluster/node_record.h"

using tollgate::cluster::decode_node_record;
using tollgate::cluster::encode_node_record;
using tollgate::cluster::NodeRecord;

TEST_CASE("a node record survives encoding", "[unit][cluster]") {
  const NodeRecord record{"gw-1.prod:4000", "10.0.0.1:4100", 1764480000123};
  const auto text = encode_node_record(record);
  CHECK(text == R"({"node_id":"gw-1.prod:4000","endpoint":"10.0.0.1:4100","started_at_ms":1764480000123})");
  const auto decoded = decode_node_record(text);
  REQUIRE(decoded);
  CHECK(*decoded == record);
  const NodeRecord no_endpoint{"gw-2", "", 5};
  CHECK(decode_node_record(encode_node_record(no_endpoint)) == no_endpoint);
}

TEST_CASE("text that is not a valid node record is refused", "[unit][cluster]") {
  for (const char* text : {
           "",
           "not json",
           "[]",
           R"({"node_id":"a","endpoint":"h:1"})",
           R"({"node_id":"a","started_at_ms":1})",
           R"({"endpoint":"h:1","started_at_ms":1})",
           R"({"node_id":1,"endpoint":"h:1","started_at_ms":1})",
           R"({"node_id":"a","endpoint":"h:1","started_at_ms":"1"})",
           R"({"node_id":"two words","endpoint":"h:1","started_at_ms":1})",
           R"({"node_id":"","endpoint":"h:1","started_at_ms":1})",
       }) {
    INFO(text);
    CHECK_FALSE(decode_node_record(text));
  }
}
