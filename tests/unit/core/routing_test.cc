#include <catch2/catch.hpp>

#include <map>

#include "core/routing.h"

using namespace tollgate::core;

namespace {

DeploymentView dv(double weight = 1, int in_flight = 0, double latency = 0) {
  DeploymentView v;
  v.weight = weight;
  v.in_flight = in_flight;
  v.latency_ms = latency;
  return v;
}

// Share of picks per index over a deterministic sweep of the random input.
std::map<std::size_t, int> distribution(RoutingStrategy s, const std::vector<DeploymentView>& c, int samples = 10000) {
  std::map<std::size_t, int> counts;
  for (int i = 0; i < samples; ++i) {
    const std::uint64_t random = (static_cast<std::uint64_t>(i) * 0x9E3779B97F4A7C15ULL);
    if (auto pick = choose_deployment(s, c, random)) ++counts[*pick];
  }
  return counts;
}

}  // namespace

TEST_CASE("strategy names", "[core][routing]") {
  CHECK(parse_routing_strategy("simple-shuffle") == RoutingStrategy::simple_shuffle);
  CHECK(parse_routing_strategy("least-busy") == RoutingStrategy::least_busy);
  CHECK(parse_routing_strategy("latency-based-routing") == RoutingStrategy::latency_based);
  CHECK(parse_routing_strategy("usage-based-routing") == RoutingStrategy::usage_based);
  CHECK(parse_routing_strategy("usage-based-routing-v2") == RoutingStrategy::usage_based);
  CHECK(parse_routing_strategy("whatever") == RoutingStrategy::simple_shuffle);
}

TEST_CASE("simple-shuffle follows weights", "[core][routing]") {
  const auto counts = distribution(RoutingStrategy::simple_shuffle, {dv(1), dv(3)});
  CHECK(counts.at(0) == Approx(2500).margin(300));
  CHECK(counts.at(1) == Approx(7500).margin(300));
}

TEST_CASE("simple-shuffle weighs by rpm when weights are default", "[core][routing]") {
  auto a = dv(), b = dv();
  a.rpm_limit = 100;
  b.rpm_limit = 900;
  const auto counts = distribution(RoutingStrategy::simple_shuffle, {a, b});
  CHECK(counts.at(1) == Approx(9000).margin(300));
}

TEST_CASE("cooling and excluded deployments are never chosen", "[core][routing]") {
  for (auto s : {RoutingStrategy::simple_shuffle, RoutingStrategy::least_busy, RoutingStrategy::latency_based,
                 RoutingStrategy::usage_based}) {
    auto a = dv(), b = dv(), c = dv();
    a.cooling_down = true;
    b.excluded = true;
    const auto counts = distribution(s, {a, b, c}, 500);
    REQUIRE(counts.size() == 1);
    CHECK(counts.begin()->first == 2);
    a.cooling_down = false;
    a.excluded = true;
    c.cooling_down = true;
    CHECK_FALSE(choose_deployment(s, {b, c}, 7).has_value());
  }
}

TEST_CASE("least-busy picks the fewest in flight, ties at random", "[core][routing]") {
  CHECK(choose_deployment(RoutingStrategy::least_busy, {dv(1, 5), dv(1, 2), dv(1, 9)}, 42) == 1u);
  const auto counts = distribution(RoutingStrategy::least_busy, {dv(1, 2), dv(1, 7), dv(1, 2)});
  CHECK(counts.count(1) == 0);
  CHECK(counts.at(0) == Approx(5000).margin(400));
}

TEST_CASE("latency-based picks the fastest and explores unmeasured ones first", "[core][routing]") {
  CHECK(choose_deployment(RoutingStrategy::latency_based, {dv(1, 0, 80), dv(1, 0, 20), dv(1, 0, 50)}, 3) == 1u);
  CHECK(choose_deployment(RoutingStrategy::latency_based, {dv(1, 0, 80), dv(1, 0, 0)}, 3) == 1u);
}

TEST_CASE("usage-based picks the least used under its limits", "[core][routing]") {
  auto a = dv(), b = dv(), c = dv();
  a.minute_tokens = 500;
  b.minute_tokens = 100;
  b.tpm_limit = 100;  // at its limit
  c.minute_tokens = 300;
  CHECK(choose_deployment(RoutingStrategy::usage_based, {a, b, c}, 9) == 2u);
  c.rpm_limit = 2;
  c.minute_requests = 2;
  CHECK(choose_deployment(RoutingStrategy::usage_based, {a, b, c}, 9) == 0u);
  a.tpm_limit = 500;
  CHECK_FALSE(choose_deployment(RoutingStrategy::usage_based, {a, b, c}, 9).has_value());
}

TEST_CASE("an empty group has no choice", "[core][routing]") {
  CHECK_FALSE(choose_deployment(RoutingStrategy::simple_shuffle, {}, 1).has_value());
}
