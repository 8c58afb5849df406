#include "providers/openai_format.h"

#include <cstring>

#include "providers/usage_json.h"

namespace tollgate::providers {
namespace {

using json::write_string;
using json::Writer;

void write_usage(Writer& w, const core::Usage& usage) {
  w.Key("usage");
  write_openai_usage(w, usage);
}

// The fields every completion object starts with, up to its "choices" array (opened).
void open_completion(Writer& w, std::string_view id, const char* object, std::int64_t created, std::string_view model) {
  w.StartObject();
  w.Key("id");
  write_string(w, id);
  w.Key("object");
  w.String(object);
  w.Key("created");
  w.Int64(created);
  w.Key("model");
  write_string(w, model);
  w.Key("choices");
  w.StartArray();
}

}  // namespace

std::string chat_completion_body(const ChatCompletion& c) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  open_completion(w, c.id, "chat.completion", c.created, c.model);
  w.StartObject();
  w.Key("index");
  w.Int(0);
  w.Key("message");
  w.StartObject();
  w.Key("role");
  w.String("assistant");
  w.Key("content");
  write_string(w, c.content);
  w.EndObject();
  w.Key("finish_reason");
  write_string(w, c.finish_reason);
  w.EndObject();
  w.EndArray();
  write_usage(w, c.usage);
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

std::string text_completion_body(const ChatCompletion& c) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  open_completion(w, c.id, "text_completion", c.created, c.model);
  w.StartObject();
  w.Key("index");
  w.Int(0);
  w.Key("text");
  write_string(w, c.content);
  w.Key("logprobs");
  w.Null();
  w.Key("finish_reason");
  write_string(w, c.finish_reason);
  w.EndObject();
  w.EndArray();
  write_usage(w, c.usage);
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

std::string chat_chunk_event(const ChatChunk& chunk) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  open_completion(w, chunk.id, "chat.completion.chunk", chunk.created, chunk.model);
  if (!chunk.usage) {
    w.StartObject();
    w.Key("index");
    w.Int(0);
    w.Key("delta");
    w.StartObject();
    if (chunk.first) {
      w.Key("role");
      w.String("assistant");
    }
    if (!chunk.delta_content.empty() || chunk.first) {
      w.Key("content");
      write_string(w, chunk.delta_content);
    }
    w.EndObject();
    w.Key("finish_reason");
    if (chunk.finish_reason) {
      write_string(w, *chunk.finish_reason);
    } else {
      w.Null();
    }
    w.EndObject();
  }
  w.EndArray();
  if (chunk.usage) {
    write_usage(w, *chunk.usage);
  }
  w.EndObject();
  std::string event = "data: ";
  event.append(buffer.GetString(), buffer.GetSize());
  event += "\n\n";
  return event;
}

namespace {

std::string base64_floats(const std::vector<float>& values) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::vector<unsigned char> bytes;
  for (float v : values) {
    std::uint32_t bits;
    std::memcpy(&bits, &v, 4);
    for (int b = 0; b < 4; ++b) bytes.push_back(static_cast<unsigned char>(bits >> (8 * b)));
  }
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::uint32_t n = (std::uint32_t{bytes[i]} << 16) |
                            (i + 1 < bytes.size() ? std::uint32_t{bytes[i + 1]} << 8 : 0) |
                            (i + 2 < bytes.size() ? std::uint32_t{bytes[i + 2]} : 0);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

}  // namespace

std::string embeddings_body(std::string_view model, const std::vector<std::vector<float>>& vectors,
                            const core::Usage& usage, bool base64) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("object");
  w.String("list");
  w.Key("data");
  w.StartArray();
  for (std::size_t i = 0; i < vectors.size(); ++i) {
    w.StartObject();
    w.Key("object");
    w.String("embedding");
    w.Key("index");
    w.Uint64(i);
    w.Key("embedding");
    if (base64) {
      write_string(w, base64_floats(vectors[i]));
    } else {
      w.StartArray();
      for (float value : vectors[i]) {
        w.Double(static_cast<double>(value));
      }
      w.EndArray();
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("model");
  write_string(w, model);
  w.Key("usage");
  w.StartObject();
  w.Key("prompt_tokens");
  w.Int64(usage.prompt_tokens);
  w.Key("total_tokens");
  w.Int64(usage.prompt_tokens);
  w.EndObject();
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace tollgate::providers
