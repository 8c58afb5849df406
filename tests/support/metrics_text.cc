#include "tests/support/metrics_text.h"

#include <sstream>

namespace tollgate::testing {

double metric_sum(const std::string& exposition, const std::string& name, const std::string& label) {
  std::istringstream lines(exposition);
  std::string line;
  double sum = 0;
  while (std::getline(lines, line)) {
    if (line.compare(0, name.size(), name) != 0 || line.size() <= name.size()) continue;
    const char next = line[name.size()];
    if (next != '{' && next != ' ') continue;  // another metric sharing the prefix
    const auto value_at = line.rfind(' ');
    if (!label.empty() && line.substr(0, value_at).find(label) == std::string::npos) continue;
    sum += std::stod(line.substr(value_at + 1));
  }
  return sum;
}

}  // namespace tollgate::testing
