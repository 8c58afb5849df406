#include "core/routing.h"

#include <limits>

namespace tollgate::core {
namespace {

bool eligible(const DeploymentView& d) { return !d.cooling_down && !d.excluded; }

std::optional<std::size_t> weighted_pick(const std::vector<DeploymentView>& c, std::uint64_t random) {
  bool all_default_weight = true;
  bool all_have_rpm = true;
  for (const auto& d : c) {
    if (!eligible(d)) continue;
    all_default_weight = all_default_weight && d.weight == 1.0;
    all_have_rpm = all_have_rpm && d.rpm_limit > 0;
  }
  const bool by_rpm = all_default_weight && all_have_rpm;
  double total = 0;
  for (const auto& d : c) {
    if (eligible(d)) total += by_rpm ? static_cast<double>(d.rpm_limit) : d.weight;
  }
  if (total <= 0) return std::nullopt;
  // 53 random bits → [0, 1)
  const double point = static_cast<double>(random >> 11) * (1.0 / 9007199254740992.0) * total;
  double acc = 0;
  std::optional<std::size_t> last;
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (!eligible(c[i])) continue;
    acc += by_rpm ? static_cast<double>(c[i].rpm_limit) : c[i].weight;
    last = i;
    if (point < acc) return i;
  }
  return last;
}

// Among eligible candidates, those minimising `key`; one of them at random.
template <class Key>
std::optional<std::size_t> pick_min(const std::vector<DeploymentView>& c, std::uint64_t random, Key key,
                                    bool (*extra)(const DeploymentView&) = nullptr) {
  double best = std::numeric_limits<double>::infinity();
  std::vector<std::size_t> ties;
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (!eligible(c[i]) || (extra && !extra(c[i]))) continue;
    const double k = key(c[i]);
    if (k < best) {
      best = k;
      ties.assign(1, i);
    } else if (k == best) {
      ties.push_back(i);
    }
  }
  if (ties.empty()) return std::nullopt;
  return ties[random % ties.size()];
}

bool under_usage_limits(const DeploymentView& d) {
  return (d.rpm_limit == 0 || d.minute_requests < d.rpm_limit) && (d.tpm_limit == 0 || d.minute_tokens < d.tpm_limit);
}

}  // namespace

RoutingStrategy parse_routing_strategy(std::string_view name) {
  if (name == "least-busy") return RoutingStrategy::least_busy;
  if (name == "latency-based-routing") return RoutingStrategy::latency_based;
  if (name == "usage-based-routing" || name == "usage-based-routing-v2") return RoutingStrategy::usage_based;
  return RoutingStrategy::simple_shuffle;
}

std::optional<std::size_t> choose_deployment(RoutingStrategy strategy, const std::vector<DeploymentView>& candidates,
                                             std::uint64_t random) {
  switch (strategy) {
    case RoutingStrategy::simple_shuffle: return weighted_pick(candidates, random);
    case RoutingStrategy::least_busy:
      return pick_min(candidates, random, [](const DeploymentView& d) { return static_cast<double>(d.in_flight); });
    case RoutingStrategy::latency_based:
      return pick_min(candidates, random, [](const DeploymentView& d) { return d.latency_ms; });
    case RoutingStrategy::usage_based:
      return pick_min(
          candidates, random,
          [](const DeploymentView& d) {
            return static_cast<double>(d.minute_tokens) + static_cast<double>(d.minute_requests) * 1e-9;
          },
          under_usage_limits);
  }
  return std::nullopt;
}

}  // namespace tollgate::core
