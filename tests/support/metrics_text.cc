#include "tests/support/metrics_text.h"

#include <algorithm>
#include <sstream>

namespace tollgate::testing {

double metric_sum(const std::string& exposition, const std::string& name, const std::string& label) {
  return metric_sum_if_any(exposition, name, label.empty() ? std::vector<std::string>{} : std::vector{label})
      .value_or(0);
}

std::optional<double> metric_sum_if_any(const std::string& exposition, const std::string& name,
                                        const std::vector<std::string>& labels) {
  std::istringstream lines(exposition);
  std::string line;
  std::optional<double> sum;
  while (std::getline(lines, line)) {
    if (line.compare(0, name.size(), name) != 0 || line.size() <= name.size()) continue;
    const char next = line[name.size()];
    if (next != '{' && next != ' ') continue;  // another metric sharing the prefix
    const auto value_at = line.rfind(' ');
    const auto label_set = line.substr(0, value_at);
    if (!std::all_of(labels.begin(), labels.end(),
                     [&](const std::string& l) { return label_set.find(l) != std::string::npos; })) {
      continue;
    }
    sum = sum.value_or(0) + std::stod(line.substr(value_at + 1));
  }
  return sum;
}

}  // namespace tollgate::testing
