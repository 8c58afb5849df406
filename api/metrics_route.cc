// GET /metrics: Prometheus text format; behind a key when
// require_auth_for_metrics_endpoint is set.
#include "api/routes.h"

namespace tollgate::api {

namespace {

void respond_metrics(const GatewayContext& context, const http::ExchangePtr& exchange) {
  exchange->respond(http::text_response(200, context.metrics->serialize(), telemetry::kPrometheusContentType));
}

}  // namespace

void handle_metrics(const GatewayContext& context, const http::ExchangePtr& exchange) {
  if (!context.general->require_auth_for_metrics_endpoint) {
    respond_metrics(context, exchange);
    return;
  }
  with_caller(context, exchange, [&context, exchange](const identity::Caller&) { respond_metrics(context, exchange); });
}

}  // namespace tollgate::api
