#include "mcp/mcp_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace tollgate::mcp {

McpMetrics::McpMetrics(prometheus::Registry& registry)
    : calls_(prometheus::BuildCounter()
                 .Name("tollgate_mcp_tool_calls_total")
                 .Help("MCP tools/call requests by server, tool and outcome")
                 .Register(registry)),
      latency_(prometheus::BuildHistogram()
                   .Name("tollgate_mcp_tool_call_duration_seconds")
                   .Help("MCP tools/call latency through the gateway, by server and tool")
                   .Register(registry)),
      up_(prometheus::BuildGauge()
              .Name("tollgate_mcp_server_up")
              .Help("1 when the MCP server's last tools/list succeeded")
              .Register(registry)),
      tools_(prometheus::BuildGauge()
                 .Name("tollgate_mcp_server_tools")
                 .Help("Tools the MCP server listed last")
                 .Register(registry)) {}

void McpMetrics::tool_call(std::string_view server, std::string_view tool, std::string_view outcome, double seconds) {
  std::lock_guard lock(mutex_);
  auto key = std::make_tuple(std::string(server), std::string(tool), std::string(outcome));
  auto& counter = call_children_[key];
  if (!counter) {
    counter = &calls_.Add({{"server", std::get<0>(key)}, {"tool", std::get<1>(key)}, {"outcome", std::get<2>(key)}});
  }
  counter->Increment();
  if (outcome == "denied") return;  // nothing was called
  auto& histogram = latency_children_[{std::get<0>(key), std::get<1>(key)}];
  if (!histogram) {
    histogram = &latency_.Add(
        {{"server", std::get<0>(key)}, {"tool", std::get<1>(key)}},
        prometheus::Histogram::BucketBoundaries{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120});
  }
  histogram->Observe(seconds);
}

void McpMetrics::servers(const Catalog& catalog) {
  for (const auto& server : catalog.servers) {
    const std::string& name = server.config->name;
    up_.Add({{"server", name}}).Set(server.healthy ? 1 : 0);
    tools_.Add({{"server", name}}).Set(static_cast<double>(server.tools.size()));
  }
}

}  // namespace tollgate::mcp
