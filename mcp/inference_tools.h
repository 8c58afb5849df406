#pragma once
// LiteLLM lets an inference request name MCP tools (`tools: [{"type":"mcp","server_url":
// "litellm_proxy", ...}]`) for the gateway to run. Tollgate does not run them inside inference
// requests, so such a request is refused rather than sent on without the tools it asked for.
#include <optional>
#include <string>

#include <rapidjson/document.h>

namespace tollgate::mcp {

// "tools[<i>]" of the first tool of type "mcp" in the request, nullopt when there is none.
std::optional<std::string> mcp_tool_in_request(const rapidjson::Value& request);

}  // namespace tollgate::mcp
