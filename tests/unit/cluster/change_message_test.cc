// The fan-out's wire format (a committed change list as it is, its sender and its commit time)
// and the receiver's reading of sequence numbers: in order, repeat, gap, own.
#include <catch2/catch.hpp>

#include "cluster/change_message.h"
#include "cluster/change_streams.h"

using namespace tollgate;
using cluster::Arrival;
using cluster::ChangeMessage;
using cluster::ChangeStreams;
using persistence::Change;
using persistence::ChangeKind;

namespace {

ChangeMessage every_kind() {
  ChangeMessage m;
  m.node_id = "node-a";
  m.instance = 0xfedcba9876543210ULL;  // above 2^63: travels as hex
  m.sequence = 42;
  m.committed_at_us = 1'780'000'000'123'456;
  m.changes = {Change{ChangeKind::key, {"0123abcd", "4567ef01"}},
               Change{ChangeKind::user, {"u\"1"}},
               Change{ChangeKind::team, {"t-1"}},
               Change{ChangeKind::organization, {"o-1"}},
               Change{ChangeKind::budget, {}},
               Change{ChangeKind::mcp_server, {"m-1"}},
               Change{ChangeKind::model, {"md-1"}}};
  return m;
}

}  // namespace

TEST_CASE("a change message survives encoding as it is", "[unit][cluster]") {
  const auto m = every_kind();
  const auto text = encode(m);
  const auto back = cluster::decode(text);
  REQUIRE(back);
  CHECK(*back == m);
  CHECK(text.find(R"("kind":"organization")") != std::string::npos);
  CHECK(text.find(R"("instance":"fedcba9876543210")") != std::string::npos);
}

TEST_CASE("anything but a whole message of this version decodes to nothing", "[unit][cluster]") {
  const auto good = encode(every_kind());
  const char* bad[] = {
      "",
      "not json",
      "[]",
      R"({"v":2,"node":"n","instance":"01","seq":1,"at_us":1,"changes":[]})",
      R"({"node":"n","instance":"01","seq":1,"at_us":1,"changes":[]})",
      R"({"v":1,"node":"n","instance":"xyz","seq":1,"at_us":1,"changes":[]})",
      R"({"v":1,"node":"n","instance":"01","seq":-1,"at_us":1,"changes":[]})",
      R"({"v":1,"node":"n","instance":"01","seq":1,"at_us":1,"changes":[{"kind":"widget","ids":["m"]}]})",
      R"({"v":1,"node":"n","instance":"01","seq":1,"at_us":1,"changes":[{"kind":"key","ids":[1]}]})",
      R"({"v":1,"node":"n","instance":"01","seq":1,"at_us":1,"changes":{}})",
  };
  for (const char* text : bad) {
    INFO(text);
    CHECK_FALSE(cluster::decode(text));
  }
  CHECK_FALSE(cluster::decode(good.substr(0, good.size() - 1)));
  CHECK(cluster::decode(R"({"v":1,"node":"n","instance":"01","seq":1,"at_us":1,"changes":[]})"));
}

TEST_CASE("sequence numbers: own messages skipped, order applied, repeats applied, a jump is a gap",
          "[unit][cluster]") {
  ChangeStreams streams(7);
  struct Row {
    std::uint64_t instance;
    std::uint64_t sequence;
    Arrival expected;
  };
  const Row rows[] = {
      {7, 1, Arrival::own},    // this node's own
      {9, 5, Arrival::apply},  // first heard of sender 9: its past is covered by the subscription's flush
      {9, 6, Arrival::apply}, {9, 6, Arrival::apply},  // a resent PUBLISH
      {9, 8, Arrival::gap},                            // 7 was lost
      {9, 9, Arrival::apply}, {3, 1, Arrival::apply},  // another sender, its own numbering
      {9, 4, Arrival::apply},                          // older than seen: a repeat
  };
  for (const auto& row : rows) {
    INFO(row.instance << "#" << row.sequence);
    CHECK(streams.arrive(row.instance, row.sequence) == row.expected);
  }
  streams.reset();
  CHECK(streams.arrive(9, 20) == Arrival::apply);  // after resubscribing, no earlier number counts
}
