#include "telemetry/http_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace tollgate::telemetry {
namespace {

const prometheus::Histogram::BucketBoundaries& duration_buckets() {
  static const prometheus::Histogram::BucketBoundaries buckets{
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};
  return buckets;
}

}  // namespace

HttpMetrics::HttpMetrics(prometheus::Registry& registry)
    : requests_(prometheus::BuildCounter()
                    .Name("tollgate_http_requests_total")
                    .Help("HTTP requests answered, by route template, method and status")
                    .Register(registry)),
      durations_(prometheus::BuildHistogram()
                     .Name("tollgate_http_request_duration_seconds")
                     .Help("Time from the request's arrival to the end of its response")
                     .Register(registry)),
      in_flight_(prometheus::BuildGauge()
                     .Name("tollgate_http_in_flight_requests")
                     .Help("Requests received and not yet answered")
                     .Register(registry)
                     .Add({})) {
  register_route("", "unmatched");
}

int HttpMetrics::register_route(std::string_view method, std::string_view route) {
  std::lock_guard lock(mutex_);
  auto& entry = routes_.emplace_back();
  entry.method = std::string(method);
  entry.route = std::string(route);
  entry.duration = &durations_.Add({{"route", entry.route}}, duration_buckets());
  return static_cast<int>(routes_.size() - 1);
}

void HttpMetrics::request_started() { in_flight_.Increment(); }

prometheus::Counter& HttpMetrics::counter_for(Route& route, int status) {
  if (status < 100 || status >= 600) {
    status = 500;
  }
  auto& slot = route.by_status[static_cast<std::size_t>(status)];
  if (auto* counter = slot.load(std::memory_order_acquire)) {
    return *counter;
  }
  std::lock_guard lock(mutex_);
  auto* counter =
      &requests_.Add({{"route", route.route}, {"method", route.method}, {"status", std::to_string(status)}});
  slot.store(counter, std::memory_order_release);
  return *counter;
}

void HttpMetrics::request_finished(int route_index, int status, double seconds) {
  in_flight_.Decrement();
  Route& route = routes_[static_cast<std::size_t>(route_index)];
  counter_for(route, status).Increment();
  route.duration->Observe(seconds);
}

}  // namespace tollgate::telemetry
