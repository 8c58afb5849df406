#pragma once
// What a provider can charge for a request, read from its parsed body in one walk that
// allocates nothing: the input of core/token_bound.h (budget reservations) and the typical
// prompt estimate (tpm, calls whose usage the provider did not report).
#include <cstddef>

#include <rapidjson/document.h>

#include "core/token_bound.h"
#include "providers/upstream_request.h"

namespace tollgate::providers {

// Every string, key and number of the body counts as text, except the fields that only steer
// sampling or transport (model, temperature, max_tokens, stream, ...); each message adds its
// chat-format overhead; image, audio and document parts (OpenAI content parts, Anthropic
// blocks, at any depth such as inside tool results) count as media instead of their data;
// `tools`/`functions` count their definitions; `n`, `best_of`, a legacy `prompt` array and Gemini's
// generationConfig.candidateCount set the choices; `prediction` counts as output. Responses API: `input` items and
// `instructions` count as messages; `previous_response_id` / `conversation` (stored turns) as a document. `body_bytes`
// is the raw body's size: the text bound when the body nests too deep to walk.
core::PromptTally tally_prompt(const rapidjson::Value& request, Api api, std::size_t body_bytes);

}  // namespace tollgate::providers
