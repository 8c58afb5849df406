#pragma once
// Prometheus families of the MCP gateway: tool calls by server, tool and outcome, their
// latency, and each upstream server's health and tool count. Tool labels name only tools the
// server listed (an unknown name is counted as "(unknown)"), so a caller cannot grow the
// label set.
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "mcp/catalog.h"

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
template <typename T>
class Family;
class Registry;
}  // namespace prometheus

namespace tollgate::mcp {

class McpMetrics {
 public:
  explicit McpMetrics(prometheus::Registry& registry);

  // outcome: success, tool_error (isError), error (JSON-RPC or upstream error), timeout, denied
  void tool_call(std::string_view server, std::string_view tool, std::string_view outcome, double seconds);
  void servers(const Catalog& catalog);

 private:
  prometheus::Family<prometheus::Counter>& calls_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Family<prometheus::Gauge>& up_;
  prometheus::Family<prometheus::Gauge>& tools_;
  std::mutex mutex_;  // the children maps below (prometheus' families lock on their own)
  std::map<std::tuple<std::string, std::string, std::string>, prometheus::Counter*> call_children_;
  std::map<std::pair<std::string, std::string>, prometheus::Histogram*> latency_children_;
};

}  // namespace tollgate::mcp
