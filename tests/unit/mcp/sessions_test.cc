#include <catch2/catch.hpp>

#include <set>
#include <thread>

#include "mcp/protocol.h"
#include "mcp/sessions.h"

using namespace tollgate::mcp;
using namespace std::chrono_literals;

TEST_CASE("sessions: random ids bound to their owner and path", "[unit][mcp]") {
  SessionTable table;
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) {
    auto id = table.create("key-a", "", "2025-06-18");
    REQUIRE(id);
    CHECK(id->size() == 32);
    CHECK(well_formed_session_id(*id));
    ids.insert(*id);
  }
  CHECK(ids.size() == 100);
  const auto id = *table.create("key-a", "everything", "2025-03-26");
  const auto session = table.use(id, "key-a", "everything");
  REQUIRE(session);
  CHECK(session->protocol_version == "2025-03-26");
  CHECK_FALSE(table.use(id, "key-b", "everything"));  // another key
  CHECK_FALSE(table.use(id, "key-a", ""));            // another path
  CHECK_FALSE(table.end(id, "key-b", "everything"));  // another key cannot end it
  CHECK(table.end(id, "key-a", "everything"));
  CHECK_FALSE(table.use(id, "key-a", "everything"));
}

TEST_CASE("sessions: idle ones expire, a full table refuses until some do", "[unit][mcp]") {
  SessionTable table(50ms, 2);
  const auto a = *table.create("k", "", "2025-06-18");
  REQUIRE(table.create("k", "", "2025-06-18"));
  CHECK_FALSE(table.create("k", "", "2025-06-18"));  // full of live sessions
  std::this_thread::sleep_for(80ms);
  CHECK_FALSE(table.use(a, "k", ""));
  CHECK(table.create("k", "", "2025-06-18"));  // the idle ones were swept
}
