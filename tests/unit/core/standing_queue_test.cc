#include "core/standing_queue.h"

#include <catch2/catch.hpp>
#include <vector>

using tollgate::core::StandingQueue;
using namespace std::chrono_literals;

namespace {

struct Sample {
  std::chrono::milliseconds at;
  std::chrono::milliseconds delay;
};

// Feeds the samples (times from an arbitrary origin) and returns the verdict after each one.
std::vector<bool> verdicts(const std::vector<Sample>& samples) {
  StandingQueue queue(5ms, 100ms);
  const auto origin = std::chrono::steady_clock::time_point{} + 1h;
  std::vector<bool> out;
  for (const auto& s : samples) {
    queue.sample(s.delay, origin + s.at);
    out.push_back(queue.standing());
  }
  return out;
}

}  // namespace

TEST_CASE("a queue stands only when every delay of a whole interval exceeds the target", "[unit][overload]") {
  struct Row {
    const char* what;
    std::vector<Sample> samples;
    std::vector<bool> expected;
  };
  const std::vector<Row> rows = {
      {"short delays never stand", {{0ms, 1ms}, {50ms, 2ms}, {100ms, 1ms}, {150ms, 0ms}}, {false, false, false, false}},
      {"long delays stand once the interval closes",
       {{0ms, 20ms}, {50ms, 30ms}, {99ms, 9ms}, {100ms, 40ms}},
       {false, false, false, true}},
      {"one short delay in the interval is a burst, not a standing queue",
       {{0ms, 20ms}, {50ms, 1ms}, {100ms, 40ms}},
       {false, false, false}},
      {"a delay equal to the target is not over it", {{0ms, 5ms}, {100ms, 5ms}}, {false, false}},
      {"standing ends when a later interval holds a short delay",
       {{0ms, 20ms}, {100ms, 20ms}, {110ms, 20ms}, {150ms, 2ms}, {210ms, 20ms}},
       {false, true, true, true, false}},
      {"an interval the loop was too busy to sample often still closes", {{0ms, 10ms}, {250ms, 300ms}}, {false, true}},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    CHECK(verdicts(row.samples) == row.expected);
  }
}
