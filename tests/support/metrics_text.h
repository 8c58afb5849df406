#pragma once
// Reading Prometheus text exposition in tests.
#include <string>

namespace tollgate::testing {

// The sum of the samples of `name` (exactly that metric, any labels) whose label set contains
// `label` (e.g. R"(outcome="failure")"; "" for all); 0 when there is none.
double metric_sum(const std::string& exposition, const std::string& name, const std::string& label = "");

}  // namespace tollgate::testing
