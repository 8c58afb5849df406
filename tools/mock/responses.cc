#include "tools/mock/responses.h"

#include <cstring>

#include "tools/mock/json_out.h"

namespace tollgate::mock {

namespace {

void append_openai_usage(std::string& out, const Completion& c) {
  out += R"("usage":{"prompt_tokens":)";
  append_uint(out, c.prompt_tokens);
  out += R"(,"completion_tokens":)";
  append_uint(out, c.completion_tokens);
  out += R"(,"total_tokens":)";
  append_uint(out, c.prompt_tokens + c.completion_tokens);
  out += '}';
}

void append_openai_prefix(std::string& out, const Completion& c, std::string_view object) {
  out += R"({"id":)";
  append_json_string(out, c.id);
  out += R"(,"object":")";
  out += object;
  out += R"(","created":)";
  append_int(out, c.created);
  out += R"(,"model":)";
  append_json_string(out, c.model);
}

// splitmix64: a cheap deterministic sequence from the input's hash.
std::uint64_t next_random(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace

std::string_view openai_finish_reason(const Completion& c) { return c.truncated ? "length" : "stop"; }
std::string_view anthropic_stop_reason(const Completion& c) { return c.truncated ? "max_tokens" : "end_turn"; }

void append_chat_completion(std::string& out, const Completion& c) {
  append_openai_prefix(out, c, "chat.completion");
  out += R"(,"choices":[{"index":0,"message":{"role":"assistant","content":)";
  append_json_string(out, c.content);
  out += R"(},"logprobs":null,"finish_reason":")";
  out += openai_finish_reason(c);
  out += R"("}])";
  if (!c.without_usage) {
    out += ',';
    append_openai_usage(out, c);
  }
  out += '}';
}

void append_text_completion(std::string& out, const Completion& c) {
  append_openai_prefix(out, c, "text_completion");
  out += R"(,"choices":[{"text":)";
  append_json_string(out, c.content);
  out += R"(,"index":0,"logprobs":null,"finish_reason":")";
  out += openai_finish_reason(c);
  out += R"("}],)";
  append_openai_usage(out, c);
  out += '}';
}

void append_anthropic_message(std::string& out, const Completion& c) {
  out += R"({"id":)";
  append_json_string(out, c.id);
  out += R"(,"type":"message","role":"assistant","model":)";
  append_json_string(out, c.model);
  out += R"(,"content":[)";
  for (std::size_t i = 0; i < c.web_search_requests; ++i) {
    append_web_search_block(out, i);
    out += ',';
  }
  out += R"({"type":"text","text":)";
  append_json_string(out, c.content);
  out += R"(}],"stop_reason":")";
  out += anthropic_stop_reason(c);
  out += R"(","stop_sequence":null,"usage":{"input_tokens":)";
  append_uint(out, c.prompt_tokens + c.search_result_tokens);
  append_cache_usage(out, c);
  out += R"(,"output_tokens":)";
  append_uint(out, c.completion_tokens);
  append_server_tool_usage(out, c);
  out += "}}";
}

void append_server_tool_usage(std::string& out, const Completion& c) {
  if (c.web_search_requests == 0) return;
  out += R"(,"server_tool_use":{"web_search_requests":)";
  append_uint(out, c.web_search_requests);
  out += '}';
}

void append_web_search_block(std::string& out, std::size_t i) {
  out += R"({"type":"server_tool_use","id":"srvtoolu_mock_)";
  append_uint(out, i);
  out += R"(","name":"web_search","input":{"query":"mock"}})";
}

void append_cache_usage(std::string& out, const Completion& c) {
  if (c.cache_read_tokens == 0 && c.cache_creation_tokens == 0) return;
  out += R"(,"cache_read_input_tokens":)";
  append_uint(out, c.cache_read_tokens);
  out += R"(,"cache_creation_input_tokens":)";
  append_uint(out, c.cache_creation_tokens);
}

void append_base64(std::string& out, const unsigned char* data, std::size_t size) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::size_t i = 0; i < size; i += 3) {
    const std::uint32_t n = (std::uint32_t{data[i]} << 16) | (i + 1 < size ? std::uint32_t{data[i + 1]} << 8 : 0) |
                            (i + 2 < size ? std::uint32_t{data[i + 2]} : 0);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < size ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < size ? kAlphabet[n & 63] : '=';
  }
}

void append_embeddings(std::string& out, std::string_view model, const std::vector<std::uint64_t>& input_hashes,
                       std::size_t prompt_tokens, bool base64) {
  out += R"({"object":"list","data":[)";
  for (std::size_t i = 0; i < input_hashes.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    out += R"({"object":"embedding","index":)";
    append_uint(out, i);
    std::uint64_t state = input_hashes[i];
    if (base64) {
      unsigned char bytes[kEmbeddingDimensions * 4];
      for (std::size_t d = 0; d < kEmbeddingDimensions; ++d) {
        const float value = static_cast<float>(static_cast<double>(next_random(state) >> 11) * 0x1.0p-52 - 1.0);
        std::uint32_t bits;
        std::memcpy(&bits, &value, 4);
        for (int b = 0; b < 4; ++b)
          bytes[d * 4 + static_cast<std::size_t>(b)] = static_cast<unsigned char>(bits >> (8 * b));
      }
      out += R"(,"embedding":")";
      append_base64(out, bytes, sizeof bytes);
      out += "\"}";
      continue;
    }
    out += R"(,"embedding":[)";
    for (std::size_t d = 0; d < kEmbeddingDimensions; ++d) {
      if (d > 0) {
        out += ',';
      }
      // Uniform in [-1, 1).
      append_fixed(out, static_cast<double>(next_random(state) >> 11) * 0x1.0p-52 - 1.0);
    }
    out += "]}";
  }
  out += R"(],"model":)";
  append_json_string(out, model);
  out += R"(,"usage":{"prompt_tokens":)";
  append_uint(out, prompt_tokens);
  out += R"(,"total_tokens":)";
  append_uint(out, prompt_tokens);
  out += "}}";
}

void append_model_list(std::string& out) {
  out += R"({"object":"list","data":[{"id":"mock-model","object":"model","created":0,)"
         R"("owned_by":"tollgate-mock"}]})";
}

std::string_view openai_error_type(int status) {
  switch (status) {
    case 401: return "authentication_error";
    case 403: return "permission_error";
    case 404: return "not_found_error";
    case 429: return "rate_limit_error";
    default: return status >= 500 ? "server_error" : "invalid_request_error";
  }
}

std::string_view anthropic_error_type(int status) {
  switch (status) {
    case 401: return "authentication_error";
    case 403: return "permission_error";
    case 404: return "not_found_error";
    case 413: return "request_too_large";
    case 429: return "rate_limit_error";
    case 503:
    case 529: return "overloaded_error";
    default: return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

void append_openai_error(std::string& out, int status, std::string_view message) {
  out += R"({"error":{"message":)";
  append_json_string(out, message);
  out += R"(,"type":")";
  out += openai_error_type(status);
  out += R"(","param":null,"code":")";
  append_int(out, status);
  out += R"("}})";
}

void append_anthropic_error(std::string& out, int status, std::string_view message) {
  out += R"({"type":"error","error":{"type":")";
  out += anthropic_error_type(status);
  out += R"(","message":)";
  append_json_string(out, message);
  out += "}}";
}

}  // namespace tollgate::mock
