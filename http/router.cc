#include "http/router.h"

#include "core/api_error.h"
#include "telemetry/http_metrics.h"

namespace tollgate::http {
namespace {

std::vector<std::string> split_segments(std::string_view path) {
  std::vector<std::string> out;
  std::size_t start = 1;  // paths start with '/'
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    out.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool is_param(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

bool is_rest_param(const std::string& segment) { return is_param(segment) && segment[segment.size() - 2] == '*'; }

std::string param_name(const std::string& segment) {
  const std::size_t trim = is_rest_param(segment) ? 3 : 2;
  return segment.substr(1, segment.size() - trim);
}

}  // namespace

void Router::add(Method method, std::string pattern, Handler handler) {
  auto entry = std::make_unique<Entry>();
  entry->method = method;
  entry->pattern = pattern;
  entry->handler = std::move(handler);
  if (metrics_ != nullptr) {
    entry->metrics_index = metrics_->register_route(method_name(method), pattern);
  }
  if (pattern.find('{') == std::string::npos) {
    literal_[pattern].push_back(entry.get());
  } else {
    entry->segments = split_segments(pattern);
    patterned_.push_back(entry.get());
  }
  entries_.push_back(std::move(entry));
}

bool Router::matches(const Entry& entry, std::string_view path,
                     std::vector<std::pair<std::string, std::string>>* params) const {
  std::size_t pos = 1;
  for (std::size_t i = 0; i < entry.segments.size(); ++i) {
    const auto& segment = entry.segments[i];
    if (pos > path.size()) {
      return false;
    }
    if (is_rest_param(segment)) {
      if (pos >= path.size()) {
        return false;
      }
      if (params) params->emplace_back(param_name(segment), std::string(path.substr(pos)));
      return true;
    }
    const auto slash = path.find('/', pos);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    const auto piece = path.substr(pos, end - pos);
    if (is_param(segment)) {
      if (piece.empty()) {
        return false;
      }
      if (params) params->emplace_back(param_name(segment), std::string(piece));
    } else if (piece != segment) {
      return false;
    }
    pos = end + 1;
    if (i + 1 == entry.segments.size()) {
      return end == path.size();
    }
  }
  return false;
}

RouteMatch Router::match(Method method, std::string_view path) const {
  RouteMatch result;
  if (auto it = literal_.find(std::string(path)); it != literal_.end()) {
    for (const Entry* entry : it->second) {
      if (entry->method == method || (method == Method::head && entry->method == Method::get)) {
        result.handler = &entry->handler;
        result.pattern = entry->pattern;
        result.metrics_index = entry->metrics_index;
        return result;
      }
    }
    result.path_exists = true;
  }
  for (const Entry* entry : patterned_) {
    std::vector<std::pair<std::string, std::string>> params;
    if (!matches(*entry, path, &params)) {
      continue;
    }
    if (entry->method != method) {
      result.path_exists = true;
      continue;
    }
    result.handler = &entry->handler;
    result.pattern = entry->pattern;
    result.metrics_index = entry->metrics_index;
    result.params = std::move(params);
    return result;
  }
  return result;
}

std::vector<std::pair<Method, std::string>> Router::routes() const {
  std::vector<std::pair<Method, std::string>> out;
  for (const auto& entry : entries_) {
    out.emplace_back(entry->method, entry->pattern);
  }
  return out;
}

RouteMatch Router::dispatch(const ExchangePtr& exchange, const MatchObserver& on_match) const {
  RouteMatch found = match(exchange->method(), exchange->path());
  if (on_match) {
    on_match(found.handler ? found.pattern : std::string_view("unmatched"), found.handler ? found.metrics_index : 0);
  }
  if (found.handler == nullptr) {
    if (found.path_exists) {
      core::ApiError error{405,
                           "Method " + std::string(method_name(exchange->method())) + " is not allowed on " +
                               std::string(exchange->path()),
                           "invalid_request_error",
                           {},
                           {},
                           {}};
      respond_error(exchange, error);
    } else {
      respond_error(exchange, core::not_found("No route for " + std::string(method_name(exchange->method())) + " " +
                                              std::string(exchange->path())));
    }
    return found;
  }
  if (!found.params.empty()) {
    exchange->set_params(std::move(found.params));
    found.params.clear();
  }
  (*found.handler)(exchange);
  return found;
}

}  // namespace tollgate::http
