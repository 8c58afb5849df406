#include "providers/openai_request.h"

#include <algorithm>

namespace tollgate::providers {
namespace {

void append_content(std::string& out, const rapidjson::Value& content) {
  if (content.IsString()) {
    out.append(content.GetString(), content.GetStringLength());
    out.push_back('\n');
  } else if (content.IsArray()) {
    for (const auto& part : content.GetArray()) {
      if (part.IsObject()) {
        const auto text = part.FindMember("text");
        if (text != part.MemberEnd() && text->value.IsString()) {
          out.append(text->value.GetString(), text->value.GetStringLength());
          out.push_back('\n');
        }
      } else if (part.IsString()) {
        out.append(part.GetString(), part.GetStringLength());
        out.push_back('\n');
      }
    }
  }
}

}  // namespace

std::string collect_prompt_text(const rapidjson::Value& request) {
  std::string out;
  if (!request.IsObject()) {
    return out;
  }
  const auto messages = request.FindMember("messages");
  if (messages != request.MemberEnd() && messages->value.IsArray()) {
    for (const auto& message : messages->value.GetArray()) {
      if (!message.IsObject()) continue;
      if (auto content = message.FindMember("content"); content != message.MemberEnd()) {
        append_content(out, content->value);
      }
      if (auto calls = message.FindMember("tool_calls"); calls != message.MemberEnd() && calls->value.IsArray()) {
        for (const auto& call : calls->value.GetArray()) {
          if (!call.IsObject()) continue;
          auto fn = call.FindMember("function");
          if (fn == call.MemberEnd() || !fn->value.IsObject()) continue;
          auto args = fn->value.FindMember("arguments");
          if (args != fn->value.MemberEnd() && args->value.IsString()) {
            out.append(args->value.GetString(), args->value.GetStringLength());
          }
        }
      }
    }
  }
  for (const char* field : {"prompt", "input", "system"}) {
    if (auto it = request.FindMember(field); it != request.MemberEnd()) {
      append_content(out, it->value);
    }
  }
  return out;
}

std::string last_user_text(const rapidjson::Value& request) {
  if (!request.IsObject()) return {};
  const auto messages = request.FindMember("messages");
  if (messages == request.MemberEnd() || !messages->value.IsArray()) return {};
  const auto& list = messages->value.GetArray();
  for (auto i = list.Size(); i > 0; --i) {
    const auto& message = list[i - 1];
    if (!message.IsObject()) continue;
    auto role = message.FindMember("role");
    if (role == message.MemberEnd() || !role->value.IsString() || std::string_view(role->value.GetString()) != "user") {
      continue;
    }
    std::string text;
    if (auto content = message.FindMember("content"); content != message.MemberEnd()) {
      append_content(text, content->value);
    }
    if (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
  }
  return {};
}

std::optional<std::string_view> requested_model(const rapidjson::Value& request) {
  if (!request.IsObject()) return std::nullopt;
  const auto model = request.FindMember("model");
  if (model == request.MemberEnd() || !model->value.IsString()) return std::nullopt;
  return std::string_view(model->value.GetString(), model->value.GetStringLength());
}

bool wants_stream(const rapidjson::Value& request) {
  if (!request.IsObject()) return false;
  const auto stream = request.FindMember("stream");
  return stream != request.MemberEnd() && stream->value.IsBool() && stream->value.GetBool();
}

bool wants_stream_usage(const rapidjson::Value& request) {
  if (!request.IsObject()) return false;
  const auto options = request.FindMember("stream_options");
  if (options == request.MemberEnd() || !options->value.IsObject()) return false;
  const auto usage = options->value.FindMember("include_usage");
  return usage != options->value.MemberEnd() && usage->value.IsBool() && usage->value.GetBool();
}

std::optional<std::int64_t> max_output_tokens(const rapidjson::Value& request) {
  if (!request.IsObject()) return std::nullopt;
  std::optional<std::int64_t> largest;
  for (const char* field : {"max_completion_tokens", "max_tokens", "max_output_tokens"}) {
    const auto it = request.FindMember(field);
    if (it == request.MemberEnd() || it->value.IsNull()) continue;
    // 1e5 or "100000" may still be a limit to a lenient provider: no bound can be read from it.
    if (!it->value.IsInt64() || it->value.GetInt64() <= 0) return std::nullopt;
    largest = std::max(largest.value_or(0), it->value.GetInt64());
  }
  return largest;
}

core::Result<core::SearchContextSize> requested_search_context_size(const rapidjson::Value& request) {
  const auto options = request.FindMember("web_search_options");
  if (options == request.MemberEnd() || options->value.IsNull()) return core::kDefaultSearchContextSize;
  if (!options->value.IsObject()) {
    return core::bad_request("'web_search_options' must be an object", "web_search_options");
  }
  const auto size = options->value.FindMember("search_context_size");
  if (size == options->value.MemberEnd() || size->value.IsNull()) return core::kDefaultSearchContextSize;
  if (size->value.IsString()) {
    const std::string_view name(size->value.GetString(), size->value.GetStringLength());
    if (const auto known = core::search_context_size_named(name)) return *known;
  }
  return core::bad_request(
      "Invalid value for 'web_search_options.search_context_size': supported values are 'low', 'medium' and 'high'",
      "web_search_options.search_context_size");
}

}  // namespace tollgate::providers
