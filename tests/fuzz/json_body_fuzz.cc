// Every JSON body the gateway accepts, through the edge's parser (size, depth, UTF-8) and then
// through what the gateway does with a body the edge let through: the prompt tally admission
// reserves with, and the translations between the OpenAI, Anthropic and Bedrock Converse request formats, whose
// output is parsed again (it must be JSON). Nothing behind the edge may crash on what it passed.
#include <rapidjson/document.h>

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "api/json_body.h"
#include "core/json_limits.h"
#include "providers/anthropic_request.h"
#include "providers/bedrock/converse_request.h"
#include "providers/openai_from_anthropic_request.h"
#include "providers/prompt_tally.h"
#include "providers/upstream_request.h"

namespace {

using namespace tollgate;

void require_json(const providers::Translation& translated) {
  if (!translated) return;  // refused: a 400 for the client
  rapidjson::Document again;
  again.Parse(translated.value().data(), translated.value().size());
  if (again.HasParseError()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  rapidjson::Document doc;
  if (!api::parse_json_object(body, doc, core::kDefaultMaxJsonDepth)) return 0;
  for (const auto api :
       {providers::Api::openai_chat, providers::Api::openai_completion, providers::Api::openai_embedding,
        providers::Api::anthropic_messages, providers::Api::gemini_generate_content}) {
    (void)providers::tally_prompt(doc, api, size);
  }
  require_json(providers::anthropic_messages_request(doc, "claude-up", 1024));
  require_json(providers::openai_chat_request_from_anthropic(doc, "gpt-up"));
  require_json(providers::bedrock::converse_request_from_anthropic(doc));
  return 0;
}
