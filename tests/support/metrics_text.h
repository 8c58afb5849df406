#pragma once
// Reading Prometheus text exposition in tests.
#include <optional>
#include <string>
#include <vector>

namespace tollgate::testing {

// The sum of the samples of `name` (exactly that metric, any labels) whose label set contains
// `label` (e.g. R"(outcome="failure")"; "" for all); 0 when there is none.
double metric_sum(const std::string& exposition, const std::string& name, const std::string& label = "");

// The same over the samples whose label set contains every one of `labels` (each like
// R"(team="t-1")"); nullopt when no sample matches, so a gauge at 0 and a missing one differ.
std::optional<double> metric_sum_if_any(const std::string& exposition, const std::string& name,
                                        const std::vector<std::string>& labels);

}  // namespace tollgate::testing
