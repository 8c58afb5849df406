#include "mcp/jsonrpc.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/json_escape.h"
#include "core/json_parse.h"

namespace tollgate::mcp {
namespace {

std::string raw(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

RpcError invalid(std::string message) { return RpcError{rpc::kInvalidRequest, std::move(message)}; }

void append_id(std::string& out, std::string_view id) { out.append(id.empty() ? std::string_view("null") : id); }

}  // namespace

std::variant<Message, RpcError> parse_message(std::string_view text, int max_depth) {
  rapidjson::Document doc;
  core::JsonParseOptions options;
  options.max_depth = max_depth;
  if (auto failure = core::parse_json(text, doc, options)) {
    return RpcError{rpc::kParseError, "Parse error: " + failure->message};
  }
  if (doc.IsArray()) return invalid("JSON-RPC batches are not supported (removed in MCP 2025-06-18)");
  if (!doc.IsObject()) return invalid("a JSON-RPC message is an object");
  auto version = doc.FindMember("jsonrpc");
  if (version == doc.MemberEnd() || !version->value.IsString() ||
      std::string_view(version->value.GetString()) != "2.0") {
    return invalid("jsonrpc must be \"2.0\"");
  }
  Message m;
  auto id = doc.FindMember("id");
  if (id != doc.MemberEnd()) {
    if (!id->value.IsString() && !id->value.IsInt64() && !id->value.IsUint64()) {
      return invalid("id must be a string or an integer");
    }
    m.id = raw(id->value);
  }
  auto method = doc.FindMember("method");
  if (method != doc.MemberEnd()) {
    if (!method->value.IsString()) return invalid("method must be a string");
    m.method.assign(method->value.GetString(), method->value.GetStringLength());
    m.kind = m.id.empty() ? MessageKind::notification : MessageKind::request;
    auto params = doc.FindMember("params");
    if (params != doc.MemberEnd()) {
      if (!params->value.IsObject() && !params->value.IsArray()) return invalid("params must be an object");
      m.params = raw(params->value);
    }
    return m;
  }
  if (m.id.empty()) return invalid("a message needs a method, or an id with a result or error");
  m.kind = MessageKind::response;
  auto result = doc.FindMember("result");
  auto error = doc.FindMember("error");
  if (result != doc.MemberEnd()) {
    m.result = raw(result->value);
  } else if (error != doc.MemberEnd() && error->value.IsObject()) {
    m.error = raw(error->value);
  } else {
    return invalid("a response needs a result or an error");
  }
  return m;
}

std::string result_message(std::string_view id, std::string_view result_json) {
  std::string out;
  out.reserve(40 + id.size() + result_json.size());
  out.append(R"({"jsonrpc":"2.0","id":)");
  append_id(out, id);
  out.append(R"(,"result":)");
  out.append(result_json);
  out.push_back('}');
  return out;
}

std::string error_message(std::string_view id, const RpcError& error) {
  std::string out(R"({"jsonrpc":"2.0","id":)");
  append_id(out, id);
  out.append(R"(,"error":{"code":)");
  out.append(std::to_string(error.code));
  out.append(R"(,"message":)");
  core::append_json_string(out, error.message);
  out.append("}}");
  return out;
}

namespace {

// A request (with an id) or a notification (without).
std::string method_message(const std::string_view* id, std::string_view method, std::string_view params_json) {
  std::string out(R"({"jsonrpc":"2.0",)");
  if (id) {
    out.append(R"("id":)");
    append_id(out, *id);
    out.push_back(',');
  }
  out.append(R"("method":)");
  core::append_json_string(out, method);
  if (!params_json.empty()) {
    out.append(R"(,"params":)");
    out.append(params_json);
  }
  out.push_back('}');
  return out;
}

}  // namespace

std::string request_message(std::string_view id, std::string_view method, std::string_view params_json) {
  return method_message(&id, method, params_json);
}

std::string notification_message(std::string_view method, std::string_view params_json) {
  return method_message(nullptr, method, params_json);
}

RpcError read_error(std::string_view error_json) {
  RpcError out{rpc::kInternalError, "upstream error"};
  rapidjson::Document doc;
  if (core::parse_json(error_json, doc) || !doc.IsObject()) return out;
  auto code = doc.FindMember("code");
  if (code != doc.MemberEnd() && code->value.IsInt()) out.code = code->value.GetInt();
  auto message = doc.FindMember("message");
  if (message != doc.MemberEnd() && message->value.IsString()) out.message = message->value.GetString();
  return out;
}

}  // namespace tollgate::mcp
