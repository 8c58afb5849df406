#include "tools/mock/config_json.h"

#include <rapidjson/document.h>

#include "tools/mock/json_out.h"

namespace tollgate::mock {

namespace {

bool read_int(const rapidjson::Value& value, long long min, long long max, long long& out) {
  if (!value.IsInt64() || value.GetInt64() < min || value.GetInt64() > max) {
    return false;
  }
  out = value.GetInt64();
  return true;
}

std::string range_error(std::string_view name, long long min, long long max) {
  return std::string(name) + " must be an integer in " + std::to_string(min) + ".." + std::to_string(max);
}

}  // namespace

std::string apply_config_json(std::string_view body, Defaults& defaults) {
  rapidjson::Document document;
  document.Parse(body.data(), body.size());
  if (document.HasParseError() || !document.IsObject()) {
    return "the body must be a JSON object";
  }
  Defaults next = defaults;
  for (const auto& field : document.GetObject()) {
    const std::string_view name(field.name.GetString(), field.name.GetStringLength());
    const auto& value = field.value;
    long long n = 0;
    if (name == "latency_ms") {
      if (!read_int(value, 0, kMaxDelayMs, n)) return range_error(name, 0, kMaxDelayMs);
      next.latency_ms = static_cast<int>(n);
    } else if (name == "chunks") {
      if (!read_int(value, 1, kMaxChunks, n)) return range_error(name, 1, kMaxChunks);
      next.chunks = static_cast<int>(n);
    } else if (name == "chunk_interval_ms") {
      if (!read_int(value, 0, kMaxDelayMs, n)) return range_error(name, 0, kMaxDelayMs);
      next.chunk_interval_ms = static_cast<int>(n);
    } else if (name == "response_bytes") {
      const auto max = static_cast<long long>(kMaxResponseBytes);
      if (!read_int(value, 0, max, n)) return range_error(name, 0, max);
      next.response_bytes = static_cast<std::size_t>(n);
    } else if (name == "fail_rate") {
      if (!value.IsNumber() || !(value.GetDouble() >= 0.0 && value.GetDouble() <= 1.0)) {
        return "fail_rate must be a number in 0..1";
      }
      next.fail_rate = value.GetDouble();
    } else if (name == "fail_status") {
      if (!read_int(value, 400, 599, n)) return range_error(name, 400, 599);
      next.fail_status = static_cast<int>(n);
    } else if (name == "token_count") {
      const auto count = value.IsString() ? parse_token_count(value.GetString()) : std::nullopt;
      if (!count) return "token_count must be \"approx\" or \"tokenizer\"";
      next.token_count = *count;
    } else {
      return "unknown field " + std::string(name);  // a typo must not pass silently
    }
  }
  defaults = next;
  return {};
}

void append_config_json(std::string& out, const Defaults& defaults) {
  out += R"({"latency_ms":)";
  append_int(out, defaults.latency_ms);
  out += R"(,"chunks":)";
  append_int(out, defaults.chunks);
  out += R"(,"chunk_interval_ms":)";
  append_int(out, defaults.chunk_interval_ms);
  out += R"(,"response_bytes":)";
  append_uint(out, defaults.response_bytes);
  out += R"(,"fail_rate":)";
  append_fixed(out, defaults.fail_rate);
  out += R"(,"fail_status":)";
  append_int(out, defaults.fail_status);
  out += R"(,"token_count":)";
  append_json_string(out, token_count_name(defaults.token_count));
  out += '}';
}

}  // namespace tollgate::mock
