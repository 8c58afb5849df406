#pragma once
// The routing table: (method, path pattern) → handler. Patterns are literal paths or contain
// `{name}` segments ("/v1/models/{id}"); a final `{name*}` segment takes the rest of the path.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "http/exchange.h"

namespace tollgate::telemetry {
class HttpMetrics;
}

namespace tollgate::http {

using Handler = std::function<void(const ExchangePtr&)>;

struct RouteMatch {
  const Handler* handler = nullptr;
  std::string_view pattern;  // the route template, for logs and metric labels
  int metrics_index = 0;
  std::vector<std::pair<std::string, std::string>> params;
  bool path_exists = false;  // some route has this path with another method (→ 405)
};

class Router {
 public:
  explicit Router(telemetry::HttpMetrics* metrics = nullptr) : metrics_(metrics) {}

  void add(Method method, std::string pattern, Handler handler);
  RouteMatch match(Method method, std::string_view path) const;
  // Every registered (method, pattern), in registration order — for coverage guard tests.
  std::vector<std::pair<Method, std::string>> routes() const;

  // Matches and runs the handler; answers 404 / 405 in the error envelope itself.
  // `on_match` (optional) learns the route template and metrics index before anything runs,
  // since a handler may answer before dispatch returns.
  using MatchObserver = std::function<void(std::string_view pattern, int metrics_index)>;
  RouteMatch dispatch(const ExchangePtr& exchange, const MatchObserver& on_match = {}) const;

 private:
  struct Entry {
    Method method;
    std::string pattern;
    std::vector<std::string> segments;  // for patterns with parameters
    Handler handler;
    int metrics_index = 0;
  };
  bool matches(const Entry& entry, std::string_view path,
               std::vector<std::pair<std::string, std::string>>* params) const;

  telemetry::HttpMetrics* metrics_;
  std::vector<std::unique_ptr<Entry>> entries_;
  std::unordered_map<std::string, std::vector<Entry*>> literal_;  // path → entries
  std::vector<Entry*> patterned_;
};

}  // namespace tollgate::http
