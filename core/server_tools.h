#pragma once
// Tools the provider runs itself inside one request ("server tools"): Anthropic's web_search,
// web_fetch, code_execution, tool search and the MCP connector (`mcp_servers`). Their results
// are added to the model's context and the model is sampled again, in a loop on the
// provider's side, until it answers: every sampling reads the whole context so far and is
// billed as input tokens, and what it writes is billed as output. So one request can be
// charged many times its prompt, which is what core/token_bound.h bounds for one sampling.
//
// The bound (docs/budgets.md, "Server tools"):
//   samplings ≤ max(kServerToolLoopIterations, server tool uses allowed by max_uses + 1)
//     Anthropic pauses its server-side loop after 10 iterations (stop_reason "pause_turn",
//     the client continues with a new request, itself reserved). max_uses alone bounds
//     nothing here: a search past it still returns an error result and the model samples
//     again, and code_execution or tool search run without any max_uses; the larger of the two
//     covers both readings.
//   input  ≤ first sampling's prompt bound + (samplings − 1) × context window
//     no sampling can read more than the model's context window (a longer one is refused),
//     so without a known context window (model_info.max_input_tokens) nothing bounds it and
//     the request is refused.
//   output ≤ samplings × the completion bound of one sampling
//     the documentation does not say that max_tokens caps the whole loop rather than each
//     sampling, so the bound does not assume it.
#include <cstdint>
#include <optional>
#include <string_view>

namespace tollgate::core {

// Anthropic's server-side sampling loop: at most this many iterations before pause_turn.
inline constexpr std::int64_t kServerToolLoopIterations = 10;

// Whether a built-in tool of the Anthropic Messages API with this `type` is run by the
// provider. Only the tools whose call comes back to the client are not (computer, bash, text
// editor, memory): an unknown built-in type counts as a server tool, the safe side.
bool is_anthropic_server_tool(std::string_view type);

// The most samplings a request with server tools can be billed for, given the sum of the
// max_uses its server tools declare (0 when none does).
std::int64_t server_tool_samplings(std::int64_t declared_uses);

// The most input tokens of a request with server tools: `first_sampling` (core::prompt_token_bound,
// already at most the context window) plus `samplings` − 1 full context windows. nullopt when
// the context window is unknown: nothing bounds the tokens the tools add.
std::optional<std::int64_t> server_tool_prompt_bound(std::int64_t first_sampling, std::int64_t samplings,
                                                     std::optional<std::int64_t> context_window);

// The most output tokens: `per_sampling` (core::completion_token_bound) for each sampling.
std::int64_t server_tool_completion_bound(std::int64_t per_sampling, std::int64_t samplings);

// The input tokens charged for a stream whose events never reported every sampling's input (cut
// before its message_delta): message_start reports only the first sampling's, `first_sampling`,
// while the provider bills each sampling that ran. The stream shows `tool_calls_shown` server
// tool calls (server_tool_use / mcp_tool_use blocks); each ends a sampling and the provider
// samples again with its result, so up to tool_calls_shown + 1 samplings may have been billed
// (the gateway cannot tell whether the last had begun when the stream was cut; several calls
// of one sampling count as several, the safe side). Every sampling reads at least the first's
// whole input — the context only grows — so the charge is (tool_calls_shown + 1) ×
// first_sampling, at most `prompt_bound` (what the reservation holds:
// server_tool_prompt_bound), never less than first_sampling (reported by the provider). It is
// still a floor of the truth: the results each later sampling reads are not counted.
std::int64_t unreported_samplings_input(std::int64_t first_sampling, std::int64_t tool_calls_shown,
                                        std::int64_t prompt_bound);

}  // namespace tollgate::core
