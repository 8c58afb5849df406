#pragma once
// Pass-through routes (/openai/*, /anthropic/*, /gemini/*, /bedrock/*; LiteLLM's paths): which
// provider a prefix names, what the path after it asks for (an inference shape whose usage the
// gateway can read and whose worst case it can bound, or anything else), the model a path
// names, and the upstream target. Pure, table-tested; api/passthrough_* does the I/O.
#include <optional>
#include <string>
#include <string_view>

#include "core/provider_kind.h"

namespace tollgate::core {

enum class PassthroughShape {
  other,  // forwarded; budgets reserve the configured bound, usage read when the answer has one
  openai_chat,
  openai_completion,
  openai_embedding,
  openai_responses,
  anthropic_messages,
  gemini_generate,   // :generateContent / :streamGenerateContent
  bedrock_converse,  // /converse, /converse-stream
  bedrock_invoke,    // /invoke (Anthropic Messages body on Bedrock); the streamed variant is `other`
};

struct PassthroughRoute {
  ProviderKind provider = ProviderKind::openai;
  std::string_view provider_prefix;  // "openai", "anthropic", "gemini", "bedrock"
  PassthroughShape shape = PassthroughShape::other;
  std::string model_in_path;     // Gemini's models/{m}: and Bedrock's model/{id}/, percent-decoded
  bool streams_by_path = false;  // :streamGenerateContent, /converse-stream
};

// The provider a pass-through prefix names; nullopt for any other prefix (a 404).
std::optional<PassthroughRoute> passthrough_provider(std::string_view prefix);

// Fills `route` from the path after the prefix ("/v1/chat/completions").
void classify_passthrough_path(PassthroughRoute& route, std::string_view subpath);

// Whether a caller who is not a proxy admin may take this route: only the inference shapes,
// whose cost is bounded from the body and charged from the answer's usage. Every other provider
// path reaches, with the gateway's credential, what the provider account keeps for everyone who
// uses it (files, batches, stored responses, conversations, fine-tunes, assistants, vector
// stores…) — one key could read or delete another's — and its cost has no bound before the call.
bool passthrough_open_to_every_key(const PassthroughRoute& route);

// For an inference shape open to every key: the body field naming state another key may have
// created through the provider directly (the Responses API's previous_response_id and
// conversation, which /v1/responses checks against their owner), or nullopt.
std::optional<std::string_view> passthrough_shared_state_field(const PassthroughRoute& route,
                                                               bool has_previous_response_id, bool has_conversation);

// The upstream path: the client's path appended to api_base's path, unless it already starts
// with it (api_base ".../v1" and "/v1/chat/completions" → "/v1/chat/completions", not
// "/v1/v1/…"; api_base ".../v1" and "/chat/completions" → "/v1/chat/completions").
std::string passthrough_upstream_path(std::string_view base_path, std::string_view subpath);

// The client's query without the parameters that carry a provider credential (Gemini's
// `key`): a caller's provider key is never forwarded.
std::string passthrough_query(std::string_view query);

}  // namespace tollgate::core
