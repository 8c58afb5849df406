#pragma once
// JSON-RPC 2.0 messages as MCP uses them: parsing what a client or an upstream sent, and
// writing requests, results and errors. Ids, params and results travel as raw JSON text, so a
// caller's id comes back exactly as it was sent (a string stays a string, 1 stays 1).
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/json_limits.h"

namespace tollgate::mcp {

namespace rpc {
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kUpstreamError = -32000;   // implementation-defined: the upstream failed
inline constexpr int kRequestTimeout = -32001;  // as the TypeScript SDK's ErrorCode.RequestTimeout
inline constexpr int kForbidden = -32003;       // implementation-defined: the caller may not use it
}  // namespace rpc

enum class MessageKind { request, notification, response };

struct Message {
  MessageKind kind = MessageKind::request;
  std::string id;      // raw JSON ("7", "\"a\""); empty for notifications
  std::string method;  // requests and notifications
  std::string params;  // raw JSON object or array; empty when absent
  std::string result;  // responses: raw JSON; empty when the response is an error
  std::string error;   // responses: raw JSON of the error object; empty on success
};

struct RpcError {
  int code = rpc::kInternalError;
  std::string message;
};

// A message, or why the text is not one (with the JSON-RPC code to answer). A batch (array)
// is refused: 2025-06-18 removed them.
std::variant<Message, RpcError> parse_message(std::string_view text, int max_depth = core::kDefaultMaxJsonDepth);

// {"jsonrpc":"2.0","id":<id>,"result":<result>}
std::string result_message(std::string_view id, std::string_view result_json);
// {"jsonrpc":"2.0","id":<id or null>,"error":{"code":..,"message":..}}
std::string error_message(std::string_view id, const RpcError& error);
// {"jsonrpc":"2.0","id":<id>,"method":..,"params":<params>} (params omitted when empty)
std::string request_message(std::string_view id, std::string_view method, std::string_view params_json);
// {"jsonrpc":"2.0","method":..,"params":<params>} (params omitted when empty)
std::string notification_message(std::string_view method, std::string_view params_json);

// The code and message of a response's raw error object (kInternalError when unreadable).
RpcError read_error(std::string_view error_json);

}  // namespace tollgate::mcp
