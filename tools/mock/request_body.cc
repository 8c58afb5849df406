#include "tools/mock/request_body.h"

#include <rapidjson/document.h>

#include "tools/mock/reply_text.h"

namespace tollgate::mock {

namespace {

using Allocator = rapidjson::MemoryPoolAllocator<>;
using Document = rapidjson::GenericDocument<rapidjson::UTF8<>, Allocator, Allocator>;
using Value = Document::ValueType;

std::string_view view(const Value& value) { return {value.GetString(), value.GetStringLength()}; }

const Value* member(const Value& object, const char* name) {
  if (!object.IsObject()) {
    return nullptr;
  }
  const auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

bool is_true(const Value* value) { return value != nullptr && value->IsBool() && value->GetBool(); }

// Calls `visit` with each text of a content value: a string, or an array of parts whose
// "text" is a string (OpenAI content parts and Anthropic content blocks alike).
template <class Visit>
void for_each_text(const Value& content, Visit&& visit) {
  if (content.IsString()) {
    visit(view(content));
  } else if (content.IsArray()) {
    for (const auto& part : content.GetArray()) {
      if (part.IsString()) {
        visit(view(part));
      } else if (const Value* text = member(part, "text"); text && text->IsString()) {
        visit(view(*text));
      }
    }
  }
}

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const char c : text) {
    hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  }
  return hash;
}

// The chat format's tokens (OpenAI's cookbook): per message, per name, and the reply's priming.
constexpr std::size_t kTokensPerMessage = 3;
constexpr std::size_t kTokensPerName = 1;
constexpr std::size_t kTokensPerReply = 3;

void add_text(std::string_view text, RequestBody& out) {
  out.prompt_bytes += text.size();
  out.prompt_token_count += count_tokens(text);
}

void read_message_list(const Value* messages, RequestBody& out) {
  if (messages == nullptr || !messages->IsArray()) {
    return;
  }
  out.prompt_token_count += kTokensPerReply;
  const Value* last_user = nullptr;
  for (const auto& message : messages->GetArray()) {
    out.prompt_token_count += kTokensPerMessage;
    if (const Value* role = member(message, "role"); role && role->IsString()) {
      out.prompt_token_count += count_tokens(view(*role));
    }
    if (const Value* name = member(message, "name"); name && name->IsString()) {
      out.prompt_token_count += kTokensPerName + count_tokens(view(*name));
    }
    const Value* content = member(message, "content");
    if (content == nullptr) {
      continue;
    }
    for_each_text(*content, [&](std::string_view text) { add_text(text, out); });
    if (const Value* role = member(message, "role"); role && role->IsString() && view(*role) == "user") {
      last_user = content;
    }
  }
  if (last_user != nullptr) {
    for_each_text(*last_user, [&](std::string_view text) { out.echo_text.append(text); });
  }
}

void read_messages(const Value& root, RequestBody& out) { read_message_list(member(root, "messages"), out); }

// Responses API: a string input is one user message; input items without a role (function
// call outputs, ...) count no text here.
void read_responses_input(const Value& root, RequestBody& out) {
  if (const Value* instructions = member(root, "instructions"); instructions && instructions->IsString()) {
    add_text(view(*instructions), out);
  }
  const Value* input = member(root, "input");
  if (input != nullptr && input->IsString()) {
    out.prompt_token_count += kTokensPerReply + kTokensPerMessage + count_tokens("user");
    add_text(view(*input), out);
    out.echo_text.assign(input->GetString(), input->GetStringLength());
    return;
  }
  read_message_list(input, out);
}

// Gemini's contents[]: {role, parts[]} (the chat format's per-message tokens, as for chat).
void read_contents(const Value& root, RequestBody& out) {
  if (const Value* system = member(root, "systemInstruction")) {
    if (const Value* parts = member(*system, "parts"))
      for_each_text(*parts, [&](std::string_view t) { add_text(t, out); });
  }
  if (const Value* config = member(root, "generationConfig")) {
    if (const Value* limit = member(*config, "maxOutputTokens"); limit && limit->IsUint64() && limit->GetUint64() > 0) {
      out.max_tokens = static_cast<std::size_t>(limit->GetUint64());
    }
  }
  const Value* contents = member(root, "contents");
  if (contents == nullptr || !contents->IsArray()) {
    return;
  }
  out.prompt_token_count += kTokensPerReply;
  for (const auto& content : contents->GetArray()) {
    out.prompt_token_count += kTokensPerMessage;
    const Value* parts = member(content, "parts");
    if (parts == nullptr) {
      continue;
    }
    for_each_text(*parts, [&](std::string_view text) { add_text(text, out); });
    if (const Value* role = member(content, "role"); role && role->IsString() && view(*role) == "user") {
      out.echo_text.clear();
      for_each_text(*parts, [&](std::string_view text) { out.echo_text.append(text); });
    }
  }
}

void read_prompt(const Value& root, RequestBody& out) {
  const Value* prompt = member(root, "prompt");
  if (prompt == nullptr) {
    return;
  }
  std::string_view last;
  for_each_text(*prompt, [&](std::string_view text) {
    add_text(text, out);
    last = text;
  });
  out.echo_text.assign(last.data(), last.size());
}

void read_input(const Value& root, RequestBody& out) {
  if (const Value* format = member(root, "encoding_format"); format && format->IsString()) {
    out.base64 = view(*format) == "base64";
  }
  const Value* input = member(root, "input");
  if (input == nullptr) {
    return;
  }
  if (input->IsString()) {
    add_text(view(*input), out);
    out.input_hashes.push_back(fnv1a(view(*input)));
    return;
  }
  if (!input->IsArray()) {
    return;
  }
  const auto items = input->GetArray();
  if (!items.Empty() && items[0].IsNumber()) {  // one pre-tokenized input
    out.prompt_bytes += 4 * items.Size();
    out.prompt_token_count += items.Size();
    out.input_hashes.push_back(items.Size());
    return;
  }
  for (const auto& item : items) {
    if (item.IsString()) {
      add_text(view(item), out);
      out.input_hashes.push_back(fnv1a(view(item)));
    } else {  // a token array: hash its position
      out.prompt_bytes += item.IsArray() ? 4 * item.Size() : 0;
      out.prompt_token_count += item.IsArray() ? item.Size() : 0;
      out.input_hashes.push_back(out.input_hashes.size() + 1);
    }
  }
}

void read_web_search_tools(const Value& document, RequestBody& out) {
  const Value* tools = member(document, "tools");
  if (tools == nullptr || !tools->IsArray()) return;
  for (const auto& tool : tools->GetArray()) {
    const Value* type = tool.IsObject() ? member(tool, "type") : nullptr;
    if (type == nullptr || !type->IsString() || view(*type).rfind("web_search", 0) != 0) continue;
    const Value* max_uses = member(tool, "max_uses");
    out.web_searches += max_uses && max_uses->IsUint64() && max_uses->GetUint64() > 0
                            ? static_cast<std::size_t>(max_uses->GetUint64())
                            : 1;
  }
}

}  // namespace

RequestBody parse_request_body(std::string_view body, BodyKind kind) {
  // Typical request bodies fit these stack arenas; bigger ones spill to the heap.
  char value_arena[16 * 1024];
  char stack_arena[4 * 1024];
  Allocator value_allocator(value_arena, sizeof value_arena);
  Allocator stack_allocator(stack_arena, sizeof stack_arena);
  Document document(&value_allocator, sizeof stack_arena, &stack_allocator);
  document.Parse(body.data(), body.size());

  RequestBody out;
  if (document.HasParseError() || !document.IsObject()) {
    return out;
  }
  out.is_object = true;
  if (const Value* model = member(document, "model"); model && model->IsString()) {
    out.model.assign(model->GetString(), model->GetStringLength());
  }
  out.stream = is_true(member(document, "stream"));
  if (const Value* options = member(document, "stream_options")) {
    out.include_usage = is_true(member(*options, "include_usage"));
  }
  for (const char* field : {"max_tokens", "max_completion_tokens", "max_output_tokens"}) {  // the newer name wins
    if (const Value* limit = member(document, field); limit && limit->IsUint64() && limit->GetUint64() > 0) {
      out.max_tokens = static_cast<std::size_t>(limit->GetUint64());
    }
  }
  switch (kind) {
    case BodyKind::chat: read_messages(document, out); break;
    case BodyKind::anthropic:
      if (const Value* system = member(document, "system")) {
        for_each_text(*system, [&](std::string_view text) { add_text(text, out); });
      }
      read_messages(document, out);
      read_web_search_tools(document, out);
      break;
    case BodyKind::converse:
      if (const Value* system = member(document, "system")) {
        for_each_text(*system, [&](std::string_view text) { add_text(text, out); });
      }
      if (const Value* config = member(document, "inferenceConfig")) {
        if (const Value* limit = member(*config, "maxTokens"); limit && limit->IsUint64() && limit->GetUint64() > 0) {
          out.max_tokens = static_cast<std::size_t>(limit->GetUint64());
        }
      }
      read_messages(document, out);
      break;
    case BodyKind::responses: read_responses_input(document, out); break;
    case BodyKind::gemini: read_contents(document, out); break;
    case BodyKind::completion: read_prompt(document, out); break;
    case BodyKind::embedding: read_input(document, out); break;
  }
  return out;
}

}  // namespace tollgate::mock
