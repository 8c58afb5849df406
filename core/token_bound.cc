#include "core/token_bound.h"

#include <algorithm>

#include "core/saturating.h"

namespace tollgate::core {
namespace {

// Saturating: a client's max_tokens of 9e18 times n must not wrap around to a small number.
std::int64_t add(std::int64_t a, std::int64_t b) { return saturating_add(a, b); }
std::int64_t multiply(std::int64_t a, std::int64_t b) { return saturating_multiply(a, b); }

}  // namespace

std::int64_t prompt_token_bound(const PromptTally& tally, std::optional<std::int64_t> context_window) {
  std::int64_t bound = add(kBoundTokensPerRequest, tally.text_bytes);
  bound = add(bound, multiply(tally.messages, kBoundTokensPerMessage));
  if (tally.tools + tally.builtin_tools > 0) bound = add(bound, kBoundToolUseTokens);
  bound = add(bound, multiply(tally.tools, kBoundTokensPerTool));
  bound = add(bound, multiply(tally.builtin_tools, kBoundBuiltinToolTokens));
  bound = add(bound, multiply(tally.images, kBoundImageTokens));
  bound = add(bound, (tally.audio_bytes + kBoundAudioBytesPerToken - 1) / kBoundAudioBytesPerToken);
  bound = add(bound, multiply(tally.documents, kBoundDocumentTokens));
  if (context_window && *context_window > 0) bound = std::min(bound, *context_window);
  return bound;
}

std::int64_t completion_token_bound(const PromptTally& tally, std::optional<std::int64_t> asked,
                                    std::int64_t model_max_output) {
  if (!tally.produces_output) return 0;
  const std::int64_t per_choice = asked ? *asked : model_max_output;
  return add(multiply(per_choice, std::max<std::int64_t>(1, tally.choices)), tally.prediction_bytes);
}

}  // namespace tollgate::core
