#include "tools/mock/options.h"

#include <charconv>
#include <string_view>

namespace tollgate::mock {

const char* const kUsage =
    "usage: tollgate-mock [--host 127.0.0.1] [--port 0] [--threads 1] [--port-file PATH]\n"
    "                     [--latency-ms 0] [--chunks 8] [--chunk-interval-ms 0]\n"
    "                     [--response-bytes 0] [--fail-rate 0.0] [--fail-status 500]\n"
    "                     [--token-count approx|tokenizer] [--keep-alive-ms 0]\n"
    "                     [--tls-cert PEM --tls-key PEM] [--azure-api-key KEY]\n"
    "A fast OpenAI- and Anthropic-compatible fake upstream. Per-request behaviour comes from\n"
    "tokens in the model name (\"mock+chunks-10+pace-50\"); see tools/mock/README.md.\n";

namespace {

bool parse_int(std::string_view text, long long min, long long max, long long& out) {
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return false;
  }
  out = value;
  return true;
}

bool parse_rate(std::string_view text, double& out) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !(value >= 0.0 && value <= 1.0)) {
    return false;
  }
  out = value;
  return true;
}

}  // namespace

std::string parse_options(int argc, const char* const* argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      options.help = true;
      continue;
    }
    std::string_view value;
    if (const auto eq = flag.find('='); eq != std::string_view::npos && flag.substr(0, 2) == "--") {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return std::string(flag) + " needs a value";
    }

    long long n = 0;
    auto number = [&](long long min, long long max) { return parse_int(value, min, max, n); };
    auto range = [&](long long min, long long max) {
      return std::string(flag) + " must be a whole number in " + std::to_string(min) + ".." + std::to_string(max);
    };
    Defaults& d = options.defaults;
    if (flag == "--host") {
      options.host = std::string(value);
    } else if (flag == "--port") {
      if (!number(0, 65535)) return range(0, 65535);
      options.port = static_cast<int>(n);
    } else if (flag == "--threads") {
      if (!number(1, 256)) return range(1, 256);
      options.threads = static_cast<int>(n);
    } else if (flag == "--port-file") {
      options.port_file = std::string(value);
    } else if (flag == "--latency-ms") {
      if (!number(0, kMaxDelayMs)) return range(0, kMaxDelayMs);
      d.latency_ms = static_cast<int>(n);
    } else if (flag == "--chunks") {
      if (!number(1, kMaxChunks)) return range(1, kMaxChunks);
      d.chunks = static_cast<int>(n);
    } else if (flag == "--chunk-interval-ms") {
      if (!number(0, kMaxDelayMs)) return range(0, kMaxDelayMs);
      d.chunk_interval_ms = static_cast<int>(n);
    } else if (flag == "--response-bytes") {
      const auto max = static_cast<long long>(kMaxResponseBytes);
      if (!number(0, max)) return range(0, max);
      d.response_bytes = static_cast<std::size_t>(n);
    } else if (flag == "--fail-rate") {
      if (!parse_rate(value, d.fail_rate)) return "--fail-rate must be a number in 0..1";
    } else if (flag == "--fail-status") {
      if (!number(400, 599)) return range(400, 599);
      d.fail_status = static_cast<int>(n);
    } else if (flag == "--token-count") {
      const auto count = parse_token_count(value);
      if (!count) return "--token-count must be approx or tokenizer";
      d.token_count = *count;
    } else if (flag == "--keep-alive-ms") {
      if (!number(0, kMaxDelayMs)) return range(0, kMaxDelayMs);
      d.keep_alive_ms = static_cast<int>(n);
    } else if (flag == "--tls-cert") {
      options.tls_cert = std::string(value);
    } else if (flag == "--tls-key") {
      options.tls_key = std::string(value);
    } else if (flag == "--azure-api-key") {
      options.azure_api_key = std::string(value);
    } else {
      return "unknown flag " + std::string(flag);
    }
  }
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return "--tls-cert and --tls-key go together";
  }
  return {};
}

}  // namespace tollgate::mock
