#include "providers/prompt_tally.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/server_tools.h"
#include "core/token_estimate.h"
#include "core/web_search.h"

namespace tollgate::providers {
namespace {

using Value = rapidjson::Value;

// Request fields that steer sampling or transport and never reach the model as text.
constexpr std::string_view kParameters[] = {"model",
                                            "stream",
                                            "stream_options",
                                            "temperature",
                                            "top_p",
                                            "top_k",
                                            "n",
                                            "best_of",
                                            "max_tokens",
                                            "max_completion_tokens",
                                            "max_output_tokens",
                                            "presence_penalty",
                                            "frequency_penalty",
                                            "logit_bias",
                                            "logprobs",
                                            "top_logprobs",
                                            "seed",
                                            "user",
                                            "metadata",
                                            "store",
                                            "service_tier",
                                            "parallel_tool_calls",
                                            "stop",
                                            "stop_sequences",
                                            "encoding_format",
                                            "dimensions",
                                            "echo",
                                            "reasoning_effort",
                                            "modalities",
                                            "audio",
                                            "thinking",
                                            "prompt_cache_key",
                                            "safety_identifier",
                                            "verbosity"};

// Deeper than this, the walk stops and the raw body's size bounds the text (the walk recurses;
// no real request nests this deep).
constexpr int kMaxDepth = 64;

// Longest text of a double ("-2.2250738585072014e-308").
constexpr std::int64_t kDoubleTextBytes = 24;

std::string_view view(const Value& v) { return {v.GetString(), v.GetStringLength()}; }

std::string_view string_member(const Value& object, const char* name) {
  const auto it = object.FindMember(name);
  return it != object.MemberEnd() && it->value.IsString() ? view(it->value) : std::string_view();
}

const Value* member(const Value& object, const char* name) {
  const auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

bool is_parameter(std::string_view name) {
  return std::find(std::begin(kParameters), std::end(kParameters), name) != std::end(kParameters);
}

std::int64_t integer_text_bytes(std::uint64_t magnitude, bool negative) {
  std::int64_t digits = 1;
  while (magnitude >= 10) {
    magnitude /= 10;
    ++digits;
  }
  return digits + (negative ? 1 : 0);
}

std::int64_t number_text_bytes(const Value& v) {
  if (v.IsUint64()) return integer_text_bytes(v.GetUint64(), false);
  if (v.IsInt64()) {
    const auto n = v.GetInt64();
    return integer_text_bytes(static_cast<std::uint64_t>(-(n + 1)) + 1, true);  // no overflow at INT64_MIN
  }
  return kDoubleTextBytes;
}

class Walker {
 public:
  explicit Walker(core::PromptTally& tally) : t_(tally) {}

  bool too_deep() const { return too_deep_; }

  void value(const Value& v, int depth = 0) {
    if (depth > kMaxDepth) {
      too_deep_ = true;
      return;
    }
    if (v.IsString()) {
      text(view(v));
    } else if (v.IsNumber()) {
      t_.text_bytes += number_text_bytes(v);
      t_.typical_tokens += 1;  // a token id of a pre-tokenized input, or a short number
    } else if (v.IsArray()) {
      for (const auto& item : v.GetArray()) value(item, depth + 1);
    } else if (v.IsObject()) {
      object(v, depth);
    } else {
      t_.text_bytes += 5;  // true, false, null
    }
  }

 private:
  void text(std::string_view s) {
    t_.text_bytes += static_cast<std::int64_t>(s.size());
    t_.typical_tokens += core::estimate_tokens(s);
  }

  // Members as text, except the one holding media data, which counts as its media instead.
  void object(const Value& v, int depth) {
    const char* media = media_member(v);
    for (const auto& m : v.GetObject()) {
      const auto name = view(m.name);
      if (media != nullptr && name == media) continue;
      t_.text_bytes += static_cast<std::int64_t>(name.size());
      value(m.value, depth + 1);
    }
  }

  // Counts a media part (OpenAI content part, Anthropic block, Responses input) and names its
  // data member; nullptr when `v` is not one.
  const char* media_member(const Value& v) {
    const auto type = string_member(v, "type");
    if (type.empty()) return nullptr;
    if (type == "image_url" || type == "input_image") {
      ++t_.images;
      return "image_url";
    }
    if (type == "image") {
      ++t_.images;
      return "source";
    }
    if (type == "input_audio") {
      if (const Value* audio = member(v, "input_audio"); audio != nullptr && audio->IsObject()) {
        t_.audio_bytes += static_cast<std::int64_t>(string_member(*audio, "data").size());
      }
      return "input_audio";
    }
    if (type == "file" || type == "input_file") {
      ++t_.documents;
      return type == "file" ? "file" : "file_data";
    }
    if (type == "document") {
      // A text or content source is read as it is; a PDF, URL or file id is a document.
      const Value* source = member(v, "source");
      const auto kind = source != nullptr && source->IsObject() ? string_member(*source, "type") : std::string_view();
      if (kind == "text" || kind == "content") return nullptr;
      ++t_.documents;
      return "source";
    }
    return nullptr;
  }

  core::PromptTally& t_;
  bool too_deep_ = false;
};

bool is_function_tool(const Value& tool) {
  const auto type = tool.IsObject() ? string_member(tool, "type") : std::string_view();
  return type.empty() || type == "function" || type == "custom";
}

// A web search tool's searches (core/web_search.h) added to the tally, or the tool noted as
// unbounded when its max_uses bounds nothing.
void tally_web_search(const Value& tool, std::int64_t index, core::PromptTally& tally) {
  if (!tool.IsObject() || !core::is_web_search_tool(string_member(tool, "type"))) return;
  const Value* max_uses = member(tool, "max_uses");
  const auto allowed =
      core::searches_allowed(max_uses && max_uses->IsNumber() ? std::optional(max_uses->GetDouble()) : std::nullopt);
  if (allowed) {
    tally.web_searches = core::add_searches(tally.web_searches, *allowed);
  } else if (tally.unbounded_web_search_tool < 0) {
    tally.unbounded_web_search_tool = index;
  }
}

// An Anthropic server tool (core/server_tools.h) counted, with the uses its max_uses declares.
void tally_server_tool(const Value& tool, std::int64_t index, core::PromptTally& tally) {
  if (!tool.IsObject() || !core::is_anthropic_server_tool(string_member(tool, "type"))) return;
  ++tally.server_tools;
  if (tally.first_server_tool < 0) tally.first_server_tool = index;
  const Value* max_uses = member(tool, "max_uses");
  const auto declared =
      core::searches_allowed(max_uses && max_uses->IsNumber() ? std::optional(max_uses->GetDouble()) : std::nullopt);
  if (declared) tally.server_tool_uses = core::add_searches(tally.server_tool_uses, *declared);
}

// A Gemini Tool sets functionDeclarations (the client's own functions) or one of Google's tools
// (googleSearch, googleSearchRetrieval, codeExecution, urlContext, googleMaps, fileSearch,
// computerUse, retrieval, ...): anything but the former is Google's, including names added later.
bool is_gemini_builtin_tool(const Value& tool) {
  if (!tool.IsObject()) return false;
  for (const auto& m : tool.GetObject()) {
    const auto name = view(m.name);
    if (name != "functionDeclarations" && name != "function_declarations") return true;
  }
  return false;
}

// Providers allow n ≤ 128 and best_of ≤ 20; the cap only keeps the products from overflowing.
constexpr std::int64_t kMaxChoices = 1 << 20;

// A count written as 3.0, 1e2, beyond int64 or as a string ("8": protobuf's JSON, Gemini's, takes
// strings for integers) is still one to a provider that reads it leniently: rounded up, never
// fewer choices than it could mean.
std::int64_t choices_field(const Value& request, const char* name) {
  const Value* v = member(request, name);
  if (v == nullptr) return 1;
  if (v->IsInt64()) return v->GetInt64() > 0 ? std::min(v->GetInt64(), kMaxChoices) : 1;
  double d = 0;
  if (v->IsNumber()) {
    d = v->GetDouble();
  } else if (v->IsString()) {
    const std::string text(v->GetString(), v->GetStringLength());  // NUL-terminated for strtod
    char* end = nullptr;
    d = std::strtod(text.c_str(), &end);
    if (end == text.c_str()) return 1;
  }
  return d > 0 ? static_cast<std::int64_t>(std::ceil(std::min(d, static_cast<double>(kMaxChoices)))) : 1;
}

// Gemini's `n`: generationConfig.candidateCount, or any mix of the snake_case spellings, which
// protobuf's JSON parsing accepts as well.
std::int64_t gemini_candidates(const Value& request) {
  std::int64_t most = 1;
  for (const char* config : {"generationConfig", "generation_config"}) {
    const Value* v = member(request, config);
    if (v == nullptr || !v->IsObject()) continue;
    most = std::max({most, choices_field(*v, "candidateCount"), choices_field(*v, "candidate_count")});
  }
  return most;
}

// A legacy completion answers each prompt of an array (of strings or of token arrays).
std::int64_t prompt_count(const Value& request) {
  const Value* prompt = member(request, "prompt");
  if (prompt == nullptr || !prompt->IsArray() || prompt->Empty()) return 1;
  const auto& first = (*prompt)[0];
  return first.IsString() || first.IsArray() ? static_cast<std::int64_t>(prompt->Size()) : 1;
}

}  // namespace

core::PromptTally tally_prompt(const rapidjson::Value& request, Api api, std::size_t body_bytes) {
  core::PromptTally tally;
  if (!request.IsObject()) return tally;
  Walker walker(tally);
  for (const auto& m : request.GetObject()) {
    const auto name = view(m.name);
    if (is_parameter(name)) continue;
    const auto& v = m.value;
    if ((name == "messages" || (api == Api::openai_responses && name == "input")) && v.IsArray()) {
      tally.messages += static_cast<std::int64_t>(v.Size());
      walker.value(v);
    } else if (api == Api::openai_responses && (name == "input" || name == "instructions")) {
      ++tally.messages;  // a string input is one user message, instructions one system message
      walker.value(v);
    } else if (api == Api::openai_responses &&
               (name == "previous_response_id" || name == "conversation" || name == "prompt")) {
      // The provider prepends stored turns (or a stored prompt template) the body does not
      // show: like a document, only the context window bounds them.
      if (!v.IsNull()) ++tally.documents;
    } else if ((name == "tools" || name == "functions") && v.IsArray()) {
      std::int64_t index = 0;
      for (const auto& tool : v.GetArray()) {
        ++(is_function_tool(tool) ? tally.tools : tally.builtin_tools);
        if (api == Api::anthropic_messages) tally_server_tool(tool, index, tally);
        if (api == Api::gemini_generate_content && tally.gemini_builtin_tool < 0 && is_gemini_builtin_tool(tool)) {
          tally.gemini_builtin_tool = index;
        }
        tally_web_search(tool, index++, tally);
      }
      walker.value(v);
    } else if (api == Api::anthropic_messages && name == "mcp_servers" && v.IsArray()) {
      // The MCP connector: Anthropic calls these servers' tools in its own loop.
      tally.server_tools += static_cast<std::int64_t>(v.Size());
      walker.value(v);
    } else if (name == "prediction") {
      core::PromptTally prediction;
      Walker(prediction).value(v);
      tally.prediction_bytes += prediction.text_bytes;
    } else {
      walker.value(v);
    }
  }
  if (walker.too_deep()) tally.text_bytes = std::max(tally.text_bytes, static_cast<std::int64_t>(body_bytes));
  tally.produces_output = api != Api::openai_embedding;
  tally.choices = std::max(choices_field(request, "n"), choices_field(request, "best_of"));
  if (api == Api::openai_completion) tally.choices *= prompt_count(request);
  if (api == Api::gemini_generate_content) tally.choices = std::max(tally.choices, gemini_candidates(request));
  return tally;
}

}  // namespace tollgate::providers
