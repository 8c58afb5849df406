// `tollgate --healthcheck`: a probe for container health checks (the runtime image has no curl).
#pragma once

#include <cstdint>
#include <string>

namespace tollgate::app {

// The address a probe on the same machine dials for a gateway listening on `listen_host`:
// a wildcard listener (0.0.0.0, ::, empty) is reached on loopback.
std::string healthcheck_dial_host(const std::string& listen_host);

// GET `path` from host:port over plain HTTP/1.0 within `timeout_ms`; true when the answer's
// status is 200. Blocking: it runs in its own short-lived process, never in the gateway.
bool probe_http_ok(const std::string& host, std::uint16_t port, const std::string& path, int timeout_ms);

}  // namespace tollgate::app
