#include "tools/mock/openai_responses.h"

#include <string_view>

#include "tools/mock/json_out.h"
#include "tools/mock/reply_text.h"

namespace tollgate::mock {
namespace {

std::string message_id(const Completion& c) { return "msg_" + std::string(c.id); }

// The assistant message item; `text` empty and status in_progress while streaming.
void append_message_item(std::string& out, const Completion& c, std::string_view text, bool done) {
  out += R"({"id":)";
  append_json_string(out, message_id(c));
  out += R"(,"type":"message","status":")";
  out += done ? "completed" : "in_progress";
  out += R"(","role":"assistant","content":[)";
  if (done) {
    out += R"({"type":"output_text","annotations":[],"text":)";
    append_json_string(out, text);
    out += '}';
  }
  out += "]}";
}

// The response object; `done` false: as response.created shows it (no output, no usage).
void append_response(std::string& out, const Completion& c, bool done) {
  out += R"({"id":)";
  append_json_string(out, c.id);
  out += R"(,"object":"response","created_at":)";
  append_int(out, c.created);
  out += R"(,"status":")";
  out += !done ? "in_progress" : c.truncated ? "incomplete" : "completed";
  out += R"(","error":null,"incomplete_details":)";
  out += done && c.truncated ? R"({"reason":"max_output_tokens"})" : "null";
  out += R"(,"model":)";
  append_json_string(out, c.model);
  out += R"(,"output":[)";
  if (done) append_message_item(out, c, c.content, true);
  out += R"(],"parallel_tool_calls":true,"tool_choice":"auto","tools":[],"usage":)";
  if (!done) {
    out += "null}";
    return;
  }
  out += R"({"input_tokens":)";
  append_uint(out, c.prompt_tokens);
  out += R"(,"input_tokens_details":{"cached_tokens":0},"output_tokens":)";
  append_uint(out, c.completion_tokens);
  out += R"(,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":)";
  append_uint(out, c.prompt_tokens + c.completion_tokens);
  out += "}}";
}

// "event: <type>\ndata: {"type":"<type>","sequence_number":N<fields>}\n\n"
std::string named_event(std::string_view type, int sequence, std::string_view fields) {
  std::string text = "event: ";
  text += type;
  text += "\ndata: {\"type\":\"";
  text += type;
  text += "\",\"sequence_number\":";
  append_int(text, sequence);
  text += fields;
  text += "}\n\n";
  return text;
}

}  // namespace

void append_response_object(std::string& out, const Completion& c) { append_response(out, c, true); }

std::vector<SseEvent> responses_stream(const Completion& c, int chunks) {
  std::vector<SseEvent> events;
  int sequence = 0;
  auto add = [&](std::string_view type, std::string_view fields, bool content = false) {
    events.push_back({named_event(type, sequence++, fields), content});
  };
  std::string response_field = R"(,"response":)";
  append_response(response_field, c, false);
  add("response.created", response_field);
  add("response.in_progress", response_field);

  std::string item_ref = R"(,"item_id":)";
  append_json_string(item_ref, message_id(c));
  item_ref += R"(,"output_index":0)";
  std::string item = R"(,"output_index":0,"item":)";
  append_message_item(item, c, {}, false);
  add("response.output_item.added", item);
  add("response.content_part.added",
      item_ref + R"(,"content_index":0,"part":{"type":"output_text","annotations":[],"text":""})");
  for (const auto piece : split_chunks(c.content, chunks)) {
    std::string delta = item_ref + R"(,"content_index":0,"delta":)";
    append_json_string(delta, piece);
    add("response.output_text.delta", delta, true);
  }
  std::string text = item_ref + R"(,"content_index":0,"text":)";
  append_json_string(text, c.content);
  add("response.output_text.done", text);
  std::string part = item_ref + R"(,"content_index":0,"part":{"type":"output_text","annotations":[],"text":)";
  append_json_string(part, c.content);
  part += '}';
  add("response.content_part.done", part);
  std::string done_item = R"(,"output_index":0,"item":)";
  append_message_item(done_item, c, c.content, true);
  add("response.output_item.done", done_item);
  std::string final_response = R"(,"response":)";
  append_response(final_response, c, true);
  add(c.truncated ? "response.incomplete" : "response.completed", final_response);
  return events;
}

}  // namespace tollgate::mock
