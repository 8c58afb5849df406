#include "http/overloaded_reply.h"

#include <array>
#include <string>

#include "core/api_error.h"
#include "http/head_writer.h"
#include "http/response.h"

namespace tollgate::http {

namespace {

constexpr std::size_t kReasons = 4;

const char* message(telemetry::ShedReason reason) {
  switch (reason) {
    case telemetry::ShedReason::connections: return "Too many open connections (max_connections); retry later.";
    case telemetry::ShedReason::in_flight:
      return "The gateway is handling as many requests as it is configured to (max_in_flight_requests); retry "
             "shortly.";
    case telemetry::ShedReason::queue_delay:
      return "The gateway is running behind its work (max_event_loop_delay_ms, max_event_loop_utilization); "
             "retry shortly.";
    case telemetry::ShedReason::upstream_connects:
      break;  // a call refused by the outbound client is answered by its proxy call, not here
  }
  return "The gateway is overloaded; retry shortly.";
}

std::string build(telemetry::ShedReason reason, bool close_connection) {
  const Response response = error_response(core::gateway_overloaded(message(reason)));
  std::string out;
  HeadWriter head(out);
  head.status_line(response.status);
  head.field("content-type", response.content_type);
  head.content_length(response.body.size());
  for (const auto& header : response.headers) head.field(header.name, header.value);
  if (close_connection) head.field("connection", "close");
  head.end();
  return out + response.body;
}

using Replies = std::array<std::array<std::string, 2>, kReasons>;

Replies build_all() {
  Replies replies;
  for (std::size_t r = 0; r < kReasons; ++r) {
    for (const bool close : {false, true}) replies[r][close] = build(static_cast<telemetry::ShedReason>(r), close);
  }
  return replies;
}

}  // namespace

std::string_view overloaded_reply(telemetry::ShedReason reason, bool close_connection) {
  static const Replies replies = build_all();
  return replies.at(static_cast<std::size_t>(reason))[close_connection];
}

}  // namespace tollgate::http
