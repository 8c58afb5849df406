// MCP JSON-RPC messages as /mcp and the upstream clients read them: a request, notification or
// response, or the JSON-RPC error the client gets; a message it accepts is written back into a
// response that parses again.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "mcp/jsonrpc.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tollgate::mcp;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = parse_message(text);
  if (const auto* message = std::get_if<Message>(&parsed)) {
    if (!message->id.empty()) {
      const auto answer = result_message(message->id, message->params.empty() ? "{}" : message->params);
      if (!std::holds_alternative<Message>(parse_message(answer))) std::abort();
    }
    if (!message->error.empty()) (void)read_error(message->error);
  }
  (void)read_error(text);
  return 0;
}
