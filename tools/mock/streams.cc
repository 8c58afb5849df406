#include "tools/mock/streams.h"

#include <string>
#include <string_view>

#include "tools/mock/json_out.h"
#include "tools/mock/reply_text.h"

namespace tollgate::mock {

namespace {

constexpr std::string_view kDone = "data: [DONE]\n\n";

// {"id":..,"object":..,"created":..,"model":..  — shared by every chunk of one stream.
std::string openai_chunk_prefix(const Completion& c, std::string_view object) {
  std::string prefix = R"(data: {"id":)";
  append_json_string(prefix, c.id);
  prefix += R"(,"object":")";
  prefix += object;
  prefix += R"(","created":)";
  append_int(prefix, c.created);
  prefix += R"(,"model":)";
  append_json_string(prefix, c.model);
  return prefix;
}

std::string openai_usage_event(const std::string& prefix, const Completion& c) {
  std::string text = prefix;
  text += R"(,"choices":[],"usage":{"prompt_tokens":)";
  append_uint(text, c.prompt_tokens);
  text += R"(,"completion_tokens":)";
  append_uint(text, c.completion_tokens);
  text += R"(,"total_tokens":)";
  append_uint(text, c.prompt_tokens + c.completion_tokens);
  text += "}}\n\n";
  return text;
}

std::string anthropic_event(std::string_view name, std::string_view data) {
  std::string text = "event: ";
  text += name;
  text += "\ndata: ";
  text += data;
  text += "\n\n";
  return text;
}

}  // namespace

std::vector<SseEvent> chat_stream(const Completion& c, int chunks, bool include_usage) {
  const std::string prefix = openai_chunk_prefix(c, "chat.completion.chunk");
  std::vector<SseEvent> events;
  events.reserve(static_cast<std::size_t>(chunks) + 3);
  bool first = true;
  for (const auto piece : split_chunks(c.content, chunks)) {
    std::string text = prefix;
    text += first ? R"(,"choices":[{"index":0,"delta":{"role":"assistant","content":)"
                  : R"(,"choices":[{"index":0,"delta":{"content":)";
    append_json_string(text, piece);
    text += "},\"logprobs\":null,\"finish_reason\":null}]}\n\n";
    events.push_back({std::move(text), true});
    first = false;
  }
  events.push_back({prefix + R"(,"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":")" +
                        std::string(openai_finish_reason(c)) + "\"}]}\n\n",
                    false});
  if (include_usage) {
    events.push_back({openai_usage_event(prefix, c), false});
  }
  events.push_back({std::string(kDone), false});
  return events;
}

std::vector<SseEvent> completion_stream(const Completion& c, int chunks, bool include_usage) {
  const std::string prefix = openai_chunk_prefix(c, "text_completion");
  std::vector<SseEvent> events;
  events.reserve(static_cast<std::size_t>(chunks) + 3);
  for (const auto piece : split_chunks(c.content, chunks)) {
    std::string text = prefix;
    text += R"(,"choices":[{"text":)";
    append_json_string(text, piece);
    text += ",\"index\":0,\"logprobs\":null,\"finish_reason\":null}]}\n\n";
    events.push_back({std::move(text), true});
  }
  events.push_back({prefix + R"(,"choices":[{"text":"","index":0,"logprobs":null,"finish_reason":")" +
                        std::string(openai_finish_reason(c)) + "\"}]}\n\n",
                    false});
  if (include_usage) {
    events.push_back({openai_usage_event(prefix, c), false});
  }
  events.push_back({std::string(kDone), false});
  return events;
}

std::vector<SseEvent> anthropic_stream(const Completion& c, int chunks) {
  std::vector<SseEvent> events;
  events.reserve(static_cast<std::size_t>(chunks) + 6);

  std::string data = R"({"type":"message_start","message":{"id":)";
  append_json_string(data, c.id);
  data += R"(,"type":"message","role":"assistant","model":)";
  append_json_string(data, c.model);
  data += R"(,"content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":)";
  append_uint(data, c.prompt_tokens);
  append_cache_usage(data, c);
  data += R"(,"output_tokens":0}}})";
  events.push_back({anthropic_event("message_start", data), false});
  events.push_back({anthropic_event("ping", R"({"type":"ping"})"), false});
  for (std::size_t i = 0; i < c.web_search_requests; ++i) {  // one block per search, before the text
    data = R"({"type":"content_block_start","index":)";
    append_uint(data, i);
    data += R"(,"content_block":)";
    append_web_search_block(data, i);
    data += '}';
    events.push_back({anthropic_event("content_block_start", data), false});
    data = R"({"type":"content_block_stop","index":)";
    append_uint(data, i);
    data += '}';
    events.push_back({anthropic_event("content_block_stop", data), false});
  }
  const auto text_index = std::to_string(c.web_search_requests);
  events.push_back({anthropic_event("content_block_start", R"({"type":"content_block_start","index":)" + text_index +
                                                               R"(,"content_block":{"type":"text","text":""}})"),
                    false});
  for (const auto piece : split_chunks(c.content, chunks)) {
    data = R"({"type":"content_block_delta","index":)" + text_index + R"(,"delta":{"type":"text_delta","text":)";
    append_json_string(data, piece);
    data += "}}";
    events.push_back({anthropic_event("content_block_delta", data), true});
  }
  events.push_back(
      {anthropic_event("content_block_stop", R"({"type":"content_block_stop","index":)" + text_index + "}"), false});
  data = R"({"type":"message_delta","delta":{"stop_reason":")";
  data += anthropic_stop_reason(c);
  data += R"(","stop_sequence":null},"usage":{"output_tokens":)";
  append_uint(data, c.completion_tokens);
  if (c.web_search_requests > 0) {  // every sampling's input, the searches' results included
    data += R"(,"input_tokens":)";
    append_uint(data, c.prompt_tokens + c.search_result_tokens);
  }
  append_server_tool_usage(data, c);
  data += "}}";
  events.push_back({anthropic_event("message_delta", data), false});
  events.push_back({anthropic_event("message_stop", R"({"type":"message_stop"})"), false});
  return events;
}

std::vector<SseEvent> malformed_stream(bool anthropic) {
  std::vector<SseEvent> events;
  if (anthropic) {
    events.push_back({anthropic_event("message_start", kMalformedJson), true});
    events.push_back({anthropic_event("message_stop", R"({"type":"message_stop"})"), false});
  } else {
    events.push_back({"data: " + std::string(kMalformedJson) + "\n\n", true});
    events.push_back({std::string(kDone), false});
  }
  return events;
}

}  // namespace tollgate::mock
