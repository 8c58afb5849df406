#pragma once
// Google's Gemini API (`gemini/<model>`, an API key): generateContent and
// streamGenerateContent (?alt=sse), translated to and from the OpenAI chat and Anthropic
// Messages APIs.
#include "providers/provider.h"

namespace tollgate::providers {

const Provider& gemini_provider();

}  // namespace tollgate::providers

namespace tollgate::providers::gemini {

// The answer-side pieces, shared with Vertex AI's Gemini models (the same wire format).
core::Result<ClientBody> client_body_from_gemini(Api client_api, std::string_view upstream_body,
                                                 std::string_view model_group);
std::unique_ptr<StreamRelay> gemini_stream_relay(Api client_api, StreamOptions options);
std::int64_t gemini_chunk_text_tokens(const SseEvent& event);

}  // namespace tollgate::providers::gemini
