#pragma once
// The built-in `mock/` provider: answers in-process, deterministically, with usage, so the
// quickstart and the tests need no provider account.
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "config/config.h"
#include "core/usage.h"

namespace tollgate::providers {

struct MockReply {
  std::string content;
  std::string finish_reason = "stop";
  core::Usage usage;
};

// The reply is `litellm_params.mock_response` when set, else a sentence that quotes the last
// user message. One word counts as one completion token; `max_tokens` truncates (finish
// reason "length"). Prompt tokens use core::estimate_tokens.
MockReply mock_chat_reply(const config::Deployment& deployment, const rapidjson::Value& request);

// The reply cut into stream pieces (one per word, spaces kept), in order.
std::vector<std::string_view> mock_stream_pieces(std::string_view content);

// Deterministic 8-dimensional vectors, one per input string (input may be a string or a list).
std::vector<std::vector<float>> mock_embeddings(const rapidjson::Value& request, core::Usage& usage);

}  // namespace tollgate::providers
