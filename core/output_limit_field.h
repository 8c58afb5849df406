#pragma once
// Where the gateway writes its output limit (core/output_limit.h) into a chat completions
// request to an OpenAI-wire deployment. Chat has two names for it:
//   max_completion_tokens: OpenAI's current field; `max_tokens` is deprecated there, and its
//     reasoning models (o1, o3, o4-*, gpt-5*) refuse `max_tokens` ("Unsupported parameter"),
//     on OpenAI and on Azure alike;
//   max_tokens: the field every OpenAI-compatible server knows (older vLLM, llama.cpp, Ollama's
//     OpenAI API; LiteLLM maps max_completion_tokens back to max_tokens for several of them),
//     and the only one older Azure api-versions accept (2024-08-01-preview answers
//     "Unrecognized request argument supplied: max_completion_tokens").
// So: OpenAI's own platform (api.openai.com) and every reasoning model get
// max_completion_tokens; everything else (Azure's other models, OpenAI-compatible servers)
// max_tokens. LiteLLM likewise renames max_tokens to max_completion_tokens for o-series and
// gpt-5 models only. /v1/completions always uses max_tokens and the Responses API
// max_output_tokens (providers/written_output_limit.h). Pure, table-tested.
#include <string_view>

#include "core/provider_kind.h"

namespace tollgate::core {

// An OpenAI reasoning model by its bare name (o1, o3, o4-mini, gpt-5, ...): one that refuses
// `max_tokens`. A vendor-prefixed name ("openai/o3" on OpenRouter) is not: such routers take
// `max_tokens` and map it themselves.
bool is_openai_reasoning_model(std::string_view model);

// `api_base`: the deployment's (validated) base URL; `model`: the model's catalog name.
std::string_view chat_output_limit_field(ProviderKind kind, std::string_view api_base, std::string_view model);

}  // namespace tollgate::core
