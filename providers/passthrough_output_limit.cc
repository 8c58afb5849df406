#include "providers/passthrough_output_limit.h"

#include <algorithm>
#include <initializer_list>

namespace tollgate::providers {
namespace {

using core::PassthroughShape;
using rapidjson::Value;

constexpr std::initializer_list<const char*> kTopLevelFields = {"max_completion_tokens", "max_tokens",
                                                                "max_output_tokens"};
constexpr std::initializer_list<const char*> kGeminiContainers = {"generationConfig", "generation_config"};
constexpr std::initializer_list<const char*> kGeminiFields = {"maxOutputTokens", "max_output_tokens"};

const Value* member(const Value& object, const char* name) {
  const auto it = object.FindMember(name);
  return it == object.MemberEnd() || it->value.IsNull() ? nullptr : &it->value;
}

// What the walk over a request's limit fields found: the limit, and the first field it could
// not read (for a refusal to name).
struct LimitWalk {
  core::AskedOutputLimit asked;
  const char* first_unreadable = nullptr;

  void unreadable(const char* field) {
    asked.unreadable = true;
    if (first_unreadable == nullptr) first_unreadable = field;
  }
};

// Each present field of `object`: a positive int64 is a limit (the largest kept), anything else
// one the gateway cannot read.
void read_fields(const Value& object, std::initializer_list<const char*> fields, LimitWalk& out) {
  for (const char* field : fields) {
    const auto* value = member(object, field);
    if (value == nullptr) continue;
    if (value->IsInt64() && value->GetInt64() > 0) {
      out.asked.tokens = std::max(out.asked.tokens.value_or(0), value->GetInt64());
    } else {
      out.unreadable(field);
    }
  }
}

// The fields inside a nested object (generationConfig, inferenceConfig); a container that is
// present but not an object hides whatever it holds.
void read_nested(const Value& body, std::initializer_list<const char*> containers,
                 std::initializer_list<const char*> fields, LimitWalk& out) {
  for (const char* container : containers) {
    const auto* config = member(body, container);
    if (config == nullptr) continue;
    if (!config->IsObject()) {
      out.unreadable(container);
      continue;
    }
    read_fields(*config, fields, out);
  }
}

bool is_anthropic_body(const Value& body) { return member(body, "anthropic_version") != nullptr; }

// The nested object `name` of `body`, created (or replacing a null) when absent.
Value& nested_object(rapidjson::Document& body, const char* name) {
  auto it = body.FindMember(name);
  if (it != body.MemberEnd() && it->value.IsObject()) return it->value;
  body.RemoveMember(name);
  body.AddMember(rapidjson::StringRef(name), Value(rapidjson::kObjectType), body.GetAllocator());
  return body.FindMember(name)->value;
}

void set_member(Value& object, const char* name, std::int64_t value, rapidjson::Document::AllocatorType& alloc) {
  object.RemoveMember(name);
  object.AddMember(rapidjson::StringRef(name), Value(static_cast<int64_t>(value)), alloc);
}

LimitWalk walk_limit_fields(const Value& body, PassthroughShape shape) {
  LimitWalk out;
  if (!body.IsObject()) return out;
  switch (shape) {
    case PassthroughShape::openai_chat:
    case PassthroughShape::openai_completion:
    case PassthroughShape::openai_responses:
    case PassthroughShape::anthropic_messages: read_fields(body, kTopLevelFields, out); break;
    case PassthroughShape::bedrock_invoke:
      if (is_anthropic_body(body)) {
        read_fields(body, kTopLevelFields, out);
      } else {
        out.asked.unreadable = true;  // Llama's max_gen_len, Titan's maxTokenCount, …: not read
      }
      break;
    case PassthroughShape::gemini_generate: read_nested(body, kGeminiContainers, kGeminiFields, out); break;
    case PassthroughShape::bedrock_converse: read_nested(body, {"inferenceConfig"}, {"maxTokens"}, out); break;
    case PassthroughShape::openai_embedding:
    case PassthroughShape::other: break;
  }
  return out;
}

}  // namespace

core::AskedOutputLimit asked_output_limit(const Value& body, PassthroughShape shape) {
  return walk_limit_fields(body, shape).asked;
}

std::optional<std::string_view> unreadable_limit_field(const Value& body, PassthroughShape shape) {
  const auto walk = walk_limit_fields(body, shape);
  if (walk.first_unreadable == nullptr) return std::nullopt;
  return std::string_view(walk.first_unreadable);
}

bool can_write_output_limit(const Value& body, PassthroughShape shape) {
  switch (shape) {
    case PassthroughShape::openai_chat:
    case PassthroughShape::openai_completion:
    case PassthroughShape::openai_responses:
    case PassthroughShape::anthropic_messages:
    case PassthroughShape::gemini_generate:
    case PassthroughShape::bedrock_converse: return body.IsObject();
    case PassthroughShape::bedrock_invoke: return body.IsObject() && is_anthropic_body(body);
    case PassthroughShape::openai_embedding:
    case PassthroughShape::other: break;
  }
  return false;
}

std::string_view output_limit_field(const Value& body, PassthroughShape shape) {
  switch (shape) {
    case PassthroughShape::gemini_generate: return "generationConfig.maxOutputTokens";
    case PassthroughShape::bedrock_converse: return "inferenceConfig.maxTokens";
    case PassthroughShape::bedrock_invoke:
      return body.IsObject() && is_anthropic_body(body) ? "max_tokens" : "output limit (model_info.max_output_tokens)";
    case PassthroughShape::openai_chat: return "max_completion_tokens";
    case PassthroughShape::openai_responses: return "max_output_tokens";
    case PassthroughShape::openai_completion:
    case PassthroughShape::anthropic_messages:
    case PassthroughShape::openai_embedding:
    case PassthroughShape::other: break;
  }
  return "max_tokens";
}

void write_output_limit(rapidjson::Document& body, PassthroughShape shape, std::int64_t limit) {
  auto& alloc = body.GetAllocator();
  switch (shape) {
    case PassthroughShape::openai_chat: set_member(body, "max_completion_tokens", limit, alloc); break;
    case PassthroughShape::openai_completion:
    case PassthroughShape::anthropic_messages:
    case PassthroughShape::bedrock_invoke: set_member(body, "max_tokens", limit, alloc); break;
    case PassthroughShape::openai_responses: set_member(body, "max_output_tokens", limit, alloc); break;
    case PassthroughShape::gemini_generate: {
      // Into the container the request already has, so that it never carries both spellings.
      const bool snake = body.HasMember("generation_config") && body["generation_config"].IsObject();
      set_member(nested_object(body, snake ? "generation_config" : "generationConfig"), "maxOutputTokens", limit,
                 alloc);
      break;
    }
    case PassthroughShape::bedrock_converse:
      set_member(nested_object(body, "inferenceConfig"), "maxTokens", limit, alloc);
      break;
    case PassthroughShape::openai_embedding:
    case PassthroughShape::other: break;
  }
}

}  // namespace tollgate::providers
