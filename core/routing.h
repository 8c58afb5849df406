#pragma once
// Which deployment of a model group serves the next request: a pure function of what each
// deployment looks like right now, so every strategy is testable as a table.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace tollgate::core {

enum class RoutingStrategy { simple_shuffle, least_busy, latency_based, usage_based };

// Parses LiteLLM's names; unknown → simple_shuffle.
RoutingStrategy parse_routing_strategy(std::string_view name);

struct DeploymentView {
  double weight = 1.0;         // litellm_params.weight (default 1)
  std::int64_t rpm_limit = 0;  // litellm_params.rpm, 0 = unknown
  std::int64_t tpm_limit = 0;  // litellm_params.tpm, 0 = unknown
  int in_flight = 0;
  double latency_ms = 0;  // moving average; 0 = no sample yet
  std::int64_t minute_requests = 0;
  std::int64_t minute_tokens = 0;
  bool cooling_down = false;
  bool excluded = false;  // already failed for this request
};

// Index of the chosen deployment, or nullopt when none is eligible (all cooling down,
// excluded, or — for usage-based routing — over their rpm/tpm). `random` is a uniformly
// distributed 64-bit value; callers pass a fixed one in tests.
//
// simple-shuffle: random, weighted by `weight`; when every weight is the default 1 and rpm
//   limits are set, weighted by rpm (LiteLLM's behaviour).
// least-busy: fewest in-flight requests; ties broken at random.
// latency-based: lowest moving-average latency; a deployment without samples goes first so
//   every deployment gets measured; ties at random.
// usage-based: lowest token use this minute among deployments under their rpm/tpm.
std::optional<std::size_t> choose_deployment(RoutingStrategy strategy, const std::vector<DeploymentView>& candidates,
                                             std::uint64_t random);

}  // namespace tollgate::core
