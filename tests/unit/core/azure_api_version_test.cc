// Which Azure OpenAI api-versions take the stream_options the gateway adds to chat streams.
#include <catch2/catch.hpp>

#include "core/azure_api_version.h"

using tollgate::core::azure_accepts_stream_options;

TEST_CASE("Azure takes stream_options from api-version 2024-09-01-preview on", "[core][azure]") {
  struct Row {
    const char* version;
    bool accepted;
  };
  for (const auto& row : {
           Row{"2023-05-15", false},
           Row{"2024-02-01", false},
           Row{"2024-06-01", false},
           Row{"2024-08-01-preview", false},
           Row{"2024-09-01-preview", true},
           Row{"2024-10-21", true},
           Row{"2025-04-01-preview", true},
           Row{"latest", true},  // not a date: taken as current
           Row{"preview", true},
           Row{"2024-0x-01", true},
           Row{"2024-02-01x", true},
       }) {
    CAPTURE(row.version);
    CHECK(azure_accepts_stream_options(row.version) == row.accepted);
  }
}
