// Upstream response bodies, as the provider response parsers read them: an Anthropic message
// translated to an OpenAI chat completion, an OpenAI completion translated to an Anthropic
// message, and the usage of each (Gemini's usageMetadata too). A body they cannot read is a 502, never a crash.
#include <rapidjson/document.h>

#include <cstdint>
#include <string_view>

#include "providers/anthropic_from_openai_response.h"
#include "providers/anthropic_response.h"
#include "providers/gemini/gemini_response.h"
#include "providers/usage_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tollgate;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  core::Usage usage;
  (void)providers::openai_chat_response_from_anthropic(body, "model-group", usage, 1700000000);
  (void)providers::anthropic_response_from_openai(body, "model", usage);
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return 0;
  if (doc.HasMember("usage")) {
    (void)providers::usage_from_openai(doc["usage"]);
    (void)providers::usage_from_anthropic(doc["usage"]);
  }
  if (doc.HasMember("usageMetadata")) (void)providers::gemini::usage_from_gemini(doc["usageMetadata"]);
  return 0;
}
