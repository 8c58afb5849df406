#include <catch2/catch.hpp>

#include "mcp/jsonrpc.h"

using namespace tollgate::mcp;

namespace {

Message parsed(const std::string& text) {
  auto r = parse_message(text);
  REQUIRE(std::holds_alternative<Message>(r));
  return std::get<Message>(r);
}

RpcError refused(const std::string& text) {
  auto r = parse_message(text);
  REQUIRE(std::holds_alternative<RpcError>(r));
  return std::get<RpcError>(r);
}

}  // namespace

TEST_CASE("JSON-RPC: requests, notifications and responses keep ids and params as sent", "[unit][mcp]") {
  auto request =
      parsed(R"({"jsonrpc":"2.0","id":"abc","method":"tools/call","params":{"name":"x","arguments":{"a":1}}})");
  CHECK(request.kind == MessageKind::request);
  CHECK(request.id == R"("abc")");
  CHECK(request.method == "tools/call");
  CHECK(request.params == R"({"name":"x","arguments":{"a":1}})");

  auto numeric = parsed(R"({"jsonrpc":"2.0","id":42,"method":"ping"})");
  CHECK(numeric.id == "42");
  CHECK(numeric.params.empty());

  auto note =
      parsed(R"({"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":2}})");
  CHECK(note.kind == MessageKind::notification);
  CHECK(note.id.empty());

  auto result = parsed(R"({"jsonrpc":"2.0","id":3,"result":{"tools":[]}})");
  CHECK(result.kind == MessageKind::response);
  CHECK(result.result == R"({"tools":[]})");
  auto error = parsed(R"({"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"Method not found"}})");
  CHECK(error.result.empty());
  const auto e = read_error(error.error);
  CHECK(e.code == -32601);
  CHECK(e.message == "Method not found");
}

TEST_CASE("JSON-RPC: malformed messages are refused with the right code", "[unit][mcp]") {
  struct Row {
    const char* text;
    int code;
  };
  const Row rows[] = {
      {"{not json", -32700},
      {"", -32700},
      {R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])", -32600},  // batch
      {R"("a string")", -32600},
      {R"({"id":1,"method":"ping"})", -32600},  // no jsonrpc
      {R"({"jsonrpc":"1.0","id":1,"method":"ping"})", -32600},
      {R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})", -32600},  // fractional id
      {R"({"jsonrpc":"2.0","id":{},"method":"ping"})", -32600},
      {R"({"jsonrpc":"2.0","id":1,"method":7})", -32600},
      {R"({"jsonrpc":"2.0","id":1,"method":"x","params":"str"})", -32600},
      {R"({"jsonrpc":"2.0","method":"x","params":3})", -32600},
      {R"({"jsonrpc":"2.0"})", -32600},
      {R"({"jsonrpc":"2.0","id":1})", -32600},  // neither result nor error
  };
  for (const auto& row : rows) {
    INFO(row.text);
    CHECK(refused(row.text).code == row.code);
  }
  // Nesting beyond the limit is a parse error, not a crash.
  CHECK(std::holds_alternative<RpcError>(parse_message(std::string(100000, '[') + std::string(100000, ']'))));
}

TEST_CASE("JSON-RPC: written messages", "[unit][mcp]") {
  CHECK(result_message("7", "{}") == R"({"jsonrpc":"2.0","id":7,"result":{}})");
  CHECK(error_message("", {-32700, "Parse \"error\""}) ==
        R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse \"error\""}})");
  CHECK(request_message("1", "tools/list", "") == R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})");
  CHECK(request_message(R"("a")", "tools/call", R"({"name":"x"})") ==
        R"({"jsonrpc":"2.0","id":"a","method":"tools/call","params":{"name":"x"}})");
  CHECK(notification_message("notifications/initialized", "") ==
        R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  CHECK(read_error("garbage").code == rpc::kInternalError);
}
