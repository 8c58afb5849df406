#pragma once
// The most tokens a provider can charge for a request, from what the request contains. Budget
// reservations use it, so it must be a true upper bound: a settle above its reservation would
// let concurrent requests overshoot max_budget (see docs/budgets.md).
//
// Prompt: a byte-level BPE never yields more tokens than the UTF-8 bytes of the text it reads,
// so every string of the request counts its bytes (keys and numbers too: a tool's JSON schema
// is rendered into the prompt). On top, what the provider adds or reads beyond the text: the
// chat format's tokens per message and per request, tool-use prompts, and media (images,
// audio, documents) at the most a provider charges for them. A known context window caps it
// all, since a longer prompt is refused, not charged.
//
// Completion: max_tokens / max_completion_tokens when the request gives it, else the model's
// maximum output; per choice (n, best_of, several legacy prompts); plus predicted-output text,
// whose rejected tokens are billed as completion tokens.
#include <cstdint>
#include <optional>

namespace tollgate::core {

// Each constant is the largest we know a provider to charge, with room to spare.
// The chat format around each message: OpenAI 3 (+1 for a name), Llama 3 5, Anthropic ~4.
inline constexpr std::int64_t kBoundTokensPerMessage = 8;
// Once per request: reply priming (OpenAI 3), a begin-of-text token, and the default system
// header some chat templates insert (Llama 3.1's knowledge-date header, ~25).
inline constexpr std::int64_t kBoundTokensPerRequest = 64;
// Once per request with tools: the tool-use system prompt (Anthropic documents at most 530)
// and OpenAI's "namespace functions" wrapper.
inline constexpr std::int64_t kBoundToolUseTokens = 1024;
// Per tool: the rendering around its name and schema (the schema's text counts as text).
inline constexpr std::int64_t kBoundTokensPerTool = 32;
// Per built-in tool (a "type" other than function/custom: Anthropic's computer, bash and text
// editor tools), whose definition the provider supplies: computer use is 735 plus a system
// prompt of up to 499.
inline constexpr std::int64_t kBoundBuiltinToolTokens = 2048;
// Per image, at any size and detail: gpt-4o-mini's high detail, 2833 + 5667 per 512 px tile,
// 8 tiles at most (2048 × 768 after scaling) = 48,169. (gpt-4o: 1,445; Claude: ~1,600.)
inline constexpr std::int64_t kBoundImageTokens = 48'169;
// Audio, per byte of its base64 data: Gemini charges 32 tokens per second, OpenAI 10; the
// most compact input, Opus at 6 kbit/s, is 1,000 base64 bytes per second: 1 token per 31
// bytes. Counted at 1 per 16.
inline constexpr std::int64_t kBoundAudioBytesPerToken = 16;
// A binary document (PDF, file id): pages become text and images of any size, so only the
// context window bounds it; this is the largest one offered (Gemini 1.5 Pro, 2,097,152).
inline constexpr std::int64_t kBoundDocumentTokens = 2'097'152;

// What a walk over the request found (providers/prompt_tally.h fills it).
struct PromptTally {
  std::int64_t text_bytes = 0;      // every string, key and number, as UTF-8 text
  std::int64_t typical_tokens = 0;  // the strings at the typical rate (core/token_estimate.h)
  std::int64_t messages = 0;
  std::int64_t tools = 0;          // function/custom tool definitions
  std::int64_t builtin_tools = 0;  // provider-defined tools
  std::int64_t images = 0;
  std::int64_t audio_bytes = 0;  // base64 audio data
  std::int64_t documents = 0;
  std::int64_t choices = 1;           // n / best_of, times the prompts of a legacy completion
  std::int64_t prediction_bytes = 0;  // predicted output (OpenAI `prediction`)
  bool produces_output = true;        // false for embeddings
  // Web search tools (core/web_search.h): the most searches their max_uses allow, and the
  // index in `tools` of the first one whose max_uses bounds nothing (-1: none).
  std::int64_t web_searches = 0;
  std::int64_t unbounded_web_search_tool = -1;
  // Tools the provider runs in its own sampling loop (core/server_tools.h): how many, the index
  // in `tools` of the first (-1: none there, only `mcp_servers`), and the max_uses they declare.
  std::int64_t server_tools = 0;
  std::int64_t first_server_tool = -1;
  std::int64_t server_tool_uses = 0;
  // The index in `tools` of the first Gemini built-in tool (googleSearch, codeExecution,
  // urlContext, ...: any member of a Gemini tool but functionDeclarations), -1: none. Google
  // runs them itself and bills them beyond the prompt (grounding fees per prompt or per search
  // query, tool-use prompt tokens over several samplings), which the gateway has no prices for.
  std::int64_t gemini_builtin_tool = -1;
};

// The most prompt tokens a provider can charge; at most `context_window` when known.
std::int64_t prompt_token_bound(const PromptTally& tally, std::optional<std::int64_t> context_window);

// The most completion tokens: `asked` (max_tokens / max_completion_tokens) when given, else
// `model_max_output`, per choice, plus the predicted output.
std::int64_t completion_token_bound(const PromptTally& tally, std::optional<std::int64_t> asked,
                                    std::int64_t model_max_output);

}  // namespace tollgate::core
