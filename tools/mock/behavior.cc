#include "tools/mock/behavior.h"

#include <charconv>

namespace tollgate::mock {

namespace {

// A whole decimal number in [min, max], or nothing: "latency-12ms" is an unknown token, not 12.
std::optional<long long> parse_number(std::string_view text, long long min, long long max) {
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return std::nullopt;
  }
  return value;
}

bool take_prefix(std::string_view& token, std::string_view prefix) {
  if (token.substr(0, prefix.size()) != prefix) {
    return false;
  }
  token.remove_prefix(prefix.size());
  return true;
}

void apply_token(std::string_view token, ModelTokens& tokens) {
  // A provider prefix ("openai/status-500") must not hide the token.
  if (const auto slash = token.rfind('/'); slash != std::string_view::npos) {
    token.remove_prefix(slash + 1);
  }
  if (token == "timeout") {
    tokens.timeout = true;
  } else if (token == "reset") {
    tokens.reset = true;
  } else if (token == "reset-mid-stream") {
    tokens.reset_mid_stream = true;
  } else if (token == "malformed") {
    tokens.malformed = true;
  } else if (token == "echo") {
    tokens.echo = true;
  } else if (token == "context-exceeded") {
    tokens.context_exceeded = true;
  } else if (token == "tokenizer") {
    tokens.tokenizer = true;
  } else if (token == "no-usage") {
    tokens.no_usage = true;
  } else if (take_prefix(token, "status-")) {
    if (const auto status = parse_number(token, 400, 599)) {
      tokens.status = static_cast<int>(*status);
    }
  } else if (take_prefix(token, "flaky-")) {
    const auto dash = token.find('-');
    if (dash == std::string_view::npos) {
      return;
    }
    const auto status = parse_number(token.substr(0, dash), 400, 599);
    const auto percent = parse_number(token.substr(dash + 1), 0, 100);
    if (status && percent) {
      tokens.flaky_status = static_cast<int>(*status);
      tokens.flaky_percent = static_cast<int>(*percent);
    }
  } else if (take_prefix(token, "latency-")) {
    if (const auto ms = parse_number(token, 0, kMaxDelayMs)) {
      tokens.latency_ms = static_cast<int>(*ms);
    }
  } else if (take_prefix(token, "chunks-")) {
    if (const auto n = parse_number(token, 1, kMaxChunks)) {
      tokens.chunks = static_cast<int>(*n);
    }
  } else if (take_prefix(token, "pace-")) {
    if (const auto ms = parse_number(token, 0, kMaxDelayMs)) {
      tokens.pace_ms = static_cast<int>(*ms);
    }
  } else if (take_prefix(token, "header-bytes-")) {
    if (const auto n = parse_number(token, 0, static_cast<long long>(kMaxResponseBytes))) {
      tokens.header_bytes = static_cast<std::size_t>(*n);
    }
  } else if (take_prefix(token, "size-")) {
    if (const auto n = parse_number(token, 0, static_cast<long long>(kMaxResponseBytes))) {
      tokens.size = static_cast<std::size_t>(*n);
    }
  }
}

}  // namespace

bool valid_error_status(int status) { return status >= 400 && status <= 599; }

std::optional<TokenCount> parse_token_count(std::string_view name) {
  if (name == "approx") return TokenCount::approx;
  if (name == "tokenizer") return TokenCount::tokenizer;
  return std::nullopt;
}

std::string_view token_count_name(TokenCount count) { return count == TokenCount::tokenizer ? "tokenizer" : "approx"; }

ModelTokens parse_model_tokens(std::string_view model) {
  ModelTokens tokens;
  while (!model.empty()) {
    const auto plus = model.find('+');
    apply_token(model.substr(0, plus), tokens);
    if (plus == std::string_view::npos) {
      break;
    }
    model.remove_prefix(plus + 1);
  }
  return tokens;
}

Plan resolve_plan(const ModelTokens& tokens, const Defaults& defaults, double roll) {
  Plan plan;
  plan.latency_ms = tokens.latency_ms.value_or(defaults.latency_ms);
  plan.chunks = tokens.chunks.value_or(defaults.chunks);
  plan.pace_ms = tokens.pace_ms.value_or(defaults.chunk_interval_ms);
  plan.size = tokens.size.value_or(defaults.response_bytes);
  plan.echo = tokens.echo;
  plan.reset_mid_stream = tokens.reset_mid_stream;
  plan.header_bytes = tokens.header_bytes;
  plan.token_count = tokens.tokenizer ? TokenCount::tokenizer : defaults.token_count;
  plan.no_usage = tokens.no_usage;

  if (tokens.reset) {
    plan.outcome = Outcome::reset;
  } else if (tokens.timeout) {
    plan.outcome = Outcome::hang;
  } else if (tokens.context_exceeded) {
    plan.outcome = Outcome::fail;
    plan.status = 400;
    plan.context_exceeded = true;
  } else if (tokens.status) {
    plan.outcome = Outcome::fail;
    plan.status = *tokens.status;
  } else if (tokens.flaky_status) {
    if (roll * 100.0 < tokens.flaky_percent) {
      plan.outcome = Outcome::fail;
      plan.status = *tokens.flaky_status;
    }
  } else if (defaults.fail_rate > 0.0 && roll < defaults.fail_rate) {
    plan.outcome = Outcome::fail;
    plan.status = defaults.fail_status;
  }
  if (plan.outcome == Outcome::respond && tokens.malformed) {
    plan.outcome = Outcome::malformed;
  }
  return plan;
}

}  // namespace tollgate::mock
