#pragma once
// Spend in Prometheus: USD by key alias, team and model group; requests to unpriced models.
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace prometheus {
class Counter;
template <typename T>
class Family;
class Registry;
}  // namespace prometheus

namespace tollgate::telemetry {

class SpendMetrics {
 public:
  explicit SpendMetrics(prometheus::Registry& registry);
  void spent(const std::string& key_alias, const std::string& team, const std::string& model_group, double usd,
             bool priced);

 private:
  prometheus::Family<prometheus::Counter>& spend_;
  prometheus::Family<prometheus::Counter>& unpriced_;
  std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, std::string>, prometheus::Counter*> children_;
  std::map<std::string, prometheus::Counter*> unpriced_children_;
};

}  // namespace tollgate::telemetry
