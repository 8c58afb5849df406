#pragma once
// Pass-through routes (/openai/*, /anthropic/*, /gemini/*, /bedrock/*, /vertex_ai/*; LiteLLM's paths): which
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
  anthropic_messages,  // /v1/messages; Vertex publishers/anthropic :rawPredict / :streamRawPredict
  gemini_generate,     // :generateContent / :streamGenerateContent (Gemini API, Vertex publishers/google)
  bedrock_converse,    // /converse, /converse-stream
  bedrock_invoke,      // /invoke (Anthropic Messages body on Bedrock); the streamed variant is `other`
};

struct PassthroughRoute {
  ProviderKind provider = ProviderKind::openai;
  std::string_view provider_prefix;  // "openai", "anthropic", "gemini", "bedrock", "vertex_ai"
  PassthroughShape shape = PassthroughShape::other;
  // Gemini's and Vertex's models/{m}: and Bedrock's model/{id}/, percent-decoded.
  std::string model_in_path;
  bool streams_by_path = false;  // :streamGenerateContent, :streamRawPredict, /converse-stream
  // Whose wire format the answer (and its usage) is in: the provider's own, except on Vertex,
  // where publishers/anthropic answers as Anthropic and publishers/google as Gemini.
  ProviderKind answer_format = ProviderKind::openai;
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

// Vertex AI: the upstream path for the path after /vertex_ai, with the gateway's project and
// location in it. The caller's path may be `/{version}/projects/{p}/locations/{l}/{rest}`,
// `/{version}/{rest}` (Vertex express mode) or `/{rest}` (LiteLLM's short form, version v1);
// every form goes up as `/{version}/projects/{project}/locations/{location}/{rest}`: the caller's
// project and location are replaced, because the gateway's service account must reach only the
// project the admin configured. nullopt for a path naming a project but no location.
std::optional<std::string> vertex_passthrough_path(std::string_view subpath, std::string_view project,
                                                   std::string_view location);

// Whether a path has a "." or ".." segment, or an escaped "." or "/" (%2e, %2f), with which the
// upstream could resolve it outside the prefix the gateway puts in front of it (api_base's path,
// Vertex's project and location). Every pass-through path but Bedrock's, whose model id the
// gateway encodes itself, is refused with it.
bool passthrough_path_escapes(std::string_view path);

// The client's query without the parameters that carry a provider credential (Gemini's
// `key`): a caller's provider key is never forwarded.
std::string passthrough_query(std::string_view query);

}  // namespace tollgate::core
