#pragma once
// The request sent to one deployment (path, headers, body), and the pieces the JSON-over-HTTP
// provider plug-ins (providers/provider.h) share to build it.
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
enum class Api {
  openai_chat,
  openai_completion,
  openai_embedding,
  anthropic_messages,
  bedrock_converse,
  openai_responses,  // OpenAI's Responses API (/v1/responses), passed through to OpenAI and Azure only
  gemini_generate_content,
};

std::string_view api_name(Api api);

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct UpstreamRequest {
  Api api = Api::openai_chat;  // what the upstream speaks
  std::string target;          // path (with base path) and query
  HeaderList headers;          // includes the provider credential: never log these
  std::string body;
  bool stream = false;
};

// An output limit the gateway writes into a request that sets none: `field` (a static name,
// "max_tokens", "max_completion_tokens", "max_output_tokens") = `tokens`.
struct OutputLimitWrite {
  std::string_view field;
  std::int64_t tokens = 0;
};

// A JSON request to an OpenAI-wire or Anthropic upstream: the client's body forwarded (model
// renamed, or removed when `model_in_url`; OpenAI stream usage requested (`stream_usage`); `written_limit`
// added) when the APIs match, else translated between OpenAI chat and Anthropic messages.
// `max_tokens` is what a translation to Anthropic puts in a request that sets none;
// `written_limit` what an OpenAI-wire request gets (providers/written_output_limit.h).
struct JsonRequestShape {
  Api upstream_api = Api::openai_chat;
  std::string target;
  HeaderList headers;
  bool model_in_url = false;
  std::int64_t max_tokens = 0;
  std::optional<OutputLimitWrite> written_limit;
  // An OpenAI chat stream asks for its usage chunk (stream_options.include_usage) unless the
  // upstream refuses the field (older Azure api-versions: core/azure_api_version.h).
  bool stream_usage = true;
};
core::Result<UpstreamRequest> json_upstream_request(const config::Deployment& deployment, Api client_api,
                                                    const rapidjson::Document& request, std::string_view raw_body,
                                                    JsonRequestShape shape);

// The error for a client API a provider cannot serve.
core::ApiError unsupported_api(const config::Deployment& deployment, Api client_api);

}  // namespace tollgate::providers
