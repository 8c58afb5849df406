#pragma once
// How a client request becomes the request sent to one deployment: path, headers and body,
// translated when the client's API and the provider's API differ.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <rapidjson/document.h>

#include "config/config.h"
#include "core/result.h"

namespace tollgate::providers {

// The API a request or response speaks.
enum class Api { openai_chat, openai_completion, openai_embedding, anthropic_messages };

std::string_view api_name(Api api);

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct UpstreamRequest {
  Api api = Api::openai_chat;  // what the upstream speaks
  std::string target;          // path (with base path) and query
  HeaderList headers;          // includes the provider credential: never log these
  std::string body;
  bool stream = false;
};

// Builds the upstream request for `deployment` (not a mock one). `raw_body` is the client's
// body, forwarded byte for byte when no field needs changing. Errors are client errors (400):
// an API the provider cannot serve, or a request the translation rejects.
core::Result<UpstreamRequest> build_upstream_request(const config::Deployment& deployment, Api client_api,
                                                     const rapidjson::Document& request, std::string_view raw_body);

// The max_tokens the gateway itself puts in a request to `deployment` that sets none (the
// Anthropic API requires one); nullopt when such a request goes out without a limit.
std::optional<std::int64_t> max_tokens_added(const config::Deployment& deployment);

// The API a deployment's provider speaks for a client API.
Api upstream_api_for(const config::Deployment& deployment, Api client_api);

}  // namespace tollgate::providers
