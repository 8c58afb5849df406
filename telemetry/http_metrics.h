#pragma once
// HTTP front metrics: requests by route/method/status, duration histogram, in-flight gauge.
// Routes are registered once at start-up; the per-request path only does atomic loads.
#include <array>
#include <atomic>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
template <typename T>
class Family;
class Registry;
}  // namespace prometheus

namespace tollgate::telemetry {

class HttpMetrics {
 public:
  explicit HttpMetrics(prometheus::Registry& registry);

  // Returns the index to pass to request_finished(). Index 0 is the "unmatched" route.
  int register_route(std::string_view method, std::string_view route);

  void request_started();
  void request_finished(int route_index, int status, double seconds);

 private:
  struct Route {
    std::string method;
    std::string route;
    prometheus::Histogram* duration = nullptr;
    std::array<std::atomic<prometheus::Counter*>, 600> by_status{};
  };
  prometheus::Counter& counter_for(Route& route, int status);

  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& durations_;
  prometheus::Gauge& in_flight_;
  std::mutex mutex_;          // guards creation of label children
  std::deque<Route> routes_;  // deque: stable addresses while routes are added
};

}  // namespace tollgate::telemetry
