#pragma once
// The whole 503 a shed request or connection is answered with, built once per reason. Refusing
// must cost far less than serving: at twice capacity two requests in three are refused, and
// whatever a refusal costs is taken from the requests being served (bench/overload). So a
// refusal builds nothing — no exchange, no request id, no log line (the counter
// tollgate_shed_requests_total{reason} is the record) — and writes these bytes.
#include <string_view>

#include "telemetry/overload_metrics.h"

namespace tollgate::http {

// "HTTP/1.1 503 …" with retry-after: 1 and the gateway_overloaded envelope; with
// `connection: close` when `close_connection`.
std::string_view overloaded_reply(telemetry::ShedReason reason, bool close_connection);

}  // namespace tollgate::http
