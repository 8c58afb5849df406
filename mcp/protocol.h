#pragma once
// Pure decisions of the /mcp endpoint: tool names `<server>-<tool>`, protocol versions, the
// Origin rule. No I/O; table-tested (tests/unit/mcp/protocol_test.cc).
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace tollgate::mcp {

// ---- tool names ----
inline constexpr char kToolSeparator = '-';
// SEP-986: 1-128 characters of A-Z a-z 0-9 _ - .
bool valid_tool_name(std::string_view name);
// Server names prefix tool names, so they follow SEP-986 without the separator.
bool valid_server_name(std::string_view name);
std::string prefixed_tool_name(std::string_view server, std::string_view tool);
// "<server>-<tool>" split at the first separator; nullopt when there is none or a side is empty.
std::optional<std::pair<std::string_view, std::string_view>> split_tool_name(std::string_view name);

// ---- protocol versions ----
inline constexpr std::string_view kLatestProtocolVersion = "2025-06-18";
inline constexpr std::string_view kDefaultProtocolVersion =
    "2025-03-26";  // no header, no session: the spec's assumption
bool supported_protocol_version(std::string_view version);
// What initialize answers: the client's version when supported, else the latest.
std::string_view negotiate_protocol_version(std::string_view requested);

// ---- Origin (DNS rebinding) ----
// A request without Origin (not a browser) passes; a browser's Origin must name this gateway's
// own host (the Host header's, port ignored) or a loopback host.
bool origin_allowed(std::string_view origin, std::string_view host_header);

// ---- session ids: visible ASCII 0x21-0x7E, at most 128 characters ----
bool well_formed_session_id(std::string_view id);

}  // namespace tollgate::mcp
