#pragma once
// What one request should do, chosen by its model name. The gateway forwards the model name
// configured in its YAML, so a test picks the upstream's behaviour by naming the model, e.g.
// "mock+chunks-10+pace-50". Pure (the random draw is a parameter), so it is unit-testable.
#include <cstddef>
#include <optional>
#include <string_view>

namespace tollgate::mock {

// Limits shared by the flags, POST /_mock/config and the model tokens.
inline constexpr int kMaxDelayMs = 3'600'000;
inline constexpr int kMaxChunks = 100'000;
inline constexpr std::size_t kMaxResponseBytes = std::size_t{64} << 20;

// Statuses a failure may use: only errors, so "status-200" cannot disguise a normal answer.
bool valid_error_status(int status);

// How the reported usage is counted.
enum class TokenCount {
  approx,     // prompt: text bytes / 4; completion: words of the reply (the default)
  tokenizer,  // like a real tokenizer (count_tokens in reply_text.h), with the chat format's
              // tokens per message, and the reply cut at max_tokens as a provider does
};

// "approx" / "tokenizer"; nullopt for anything else.
std::optional<TokenCount> parse_token_count(std::string_view name);
std::string_view token_count_name(TokenCount count);

// Server-wide defaults: set by flags, changed by POST /_mock/config, overridden per request by
// model tokens.
struct Defaults {
  int latency_ms = 0;
  int chunks = 8;
  int chunk_interval_ms = 0;
  std::size_t response_bytes = 0;  // 0: the built-in one-sentence reply
  double fail_rate = 0.0;          // probability in [0, 1] of answering fail_status
  int fail_status = 500;
  TokenCount token_count = TokenCount::approx;
  // > 0: a keep-alive connection idle this long between requests is closed, as Node's
  // keepAliveTimeout (5 s) and uvicorn's (5 s) do; 0: kept until the client closes it.
  int keep_alive_ms = 0;
};

// The recognised '+'-separated tokens of a model name. Unknown tokens are ignored, so
// "gpt-4o" is a normal model.
struct ModelTokens {
  std::optional<int> status;        // status-NNN
  std::optional<int> flaky_status;  // flaky-NNN-PP
  int flaky_percent = 0;
  std::optional<int> latency_ms;    // latency-MS
  std::optional<int> chunks;        // chunks-N
  std::optional<int> pace_ms;       // pace-MS
  std::optional<std::size_t> size;  // size-N
  std::size_t header_bytes = 0;     // header-bytes-N: a response header of N bytes (a fault)
  bool timeout = false;
  bool reset = false;
  bool reset_mid_stream = false;
  bool malformed = false;
  bool echo = false;
  bool context_exceeded = false;  // context-exceeded: 400 saying the prompt is too long
  bool tokenizer = false;         // tokenizer: TokenCount::tokenizer for this request
};

ModelTokens parse_model_tokens(std::string_view model);

enum class Outcome {
  respond,    // the normal 200 answer
  fail,       // an error answer with Plan::status, in the endpoint's error format
  malformed,  // 200 whose body is not JSON
  hang,       // accept the request and never answer ("timeout")
  reset,      // close with a TCP RST and no answer
};

struct Plan {
  Outcome outcome = Outcome::respond;
  int status = 200;
  int latency_ms = 0;  // before the response head (or before the reset)
  int chunks = 8;
  int pace_ms = 0;
  std::size_t size = 0;
  bool echo = false;
  bool reset_mid_stream = false;
  bool context_exceeded = false;
  std::size_t header_bytes = 0;
  TokenCount token_count = TokenCount::approx;
};

// Model tokens win over the defaults. `roll` is a uniform draw in [0, 1) deciding flaky-NNN-PP
// and the default fail rate (which applies only when the model names no status or flaky token).
Plan resolve_plan(const ModelTokens& tokens, const Defaults& defaults, double roll);

}  // namespace tollgate::mock
