#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "providers/json_util.h"
#include "providers/passthrough_output_limit.h"

using namespace tollgate;
using core::PassthroughShape;

namespace {

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

}  // namespace

TEST_CASE("a pass-through request's output limit, read where each wire format keeps it",
          "[providers][passthrough][budgets]") {
  struct Row {
    PassthroughShape shape;
    std::string body;
    std::optional<std::int64_t> tokens;
    bool unreadable;
  };
  const Row rows[] = {
      {PassthroughShape::openai_chat, R"({"max_tokens":10,"max_completion_tokens":30})", 30, false},
      {PassthroughShape::openai_chat, R"({"max_tokens":1e5})", std::nullopt, true},
      {PassthroughShape::openai_chat, R"({"max_tokens":null})", std::nullopt, false},
      {PassthroughShape::openai_responses, R"({"max_output_tokens":7})", 7, false},
      {PassthroughShape::anthropic_messages, R"({"max_tokens":9})", 9, false},
      {PassthroughShape::anthropic_messages, R"({})", std::nullopt, false},
      {PassthroughShape::gemini_generate, R"({"generationConfig":{"maxOutputTokens":40}})", 40, false},
      {PassthroughShape::gemini_generate, R"({"generation_config":{"max_output_tokens":50}})", 50, false},
      {PassthroughShape::gemini_generate, R"({"generationConfig":{"maxOutputTokens":40,"max_output_tokens":60}})", 60,
       false},
      {PassthroughShape::gemini_generate, R"({"generationConfig":{"maxOutputTokens":"40"}})", std::nullopt, true},
      {PassthroughShape::gemini_generate, R"({"generationConfig":[]})", std::nullopt, true},
      {PassthroughShape::gemini_generate, R"({"generationConfig":{"temperature":1}})", std::nullopt, false},
      {PassthroughShape::gemini_generate, R"({"max_tokens":10})", std::nullopt, false},  // not Gemini's field
      {PassthroughShape::bedrock_converse, R"({"inferenceConfig":{"maxTokens":70}})", 70, false},
      {PassthroughShape::bedrock_converse, R"({"inferenceConfig":{"maxTokens":0}})", std::nullopt, true},
      {PassthroughShape::bedrock_converse, R"({"max_tokens":10})", std::nullopt, false},
      {PassthroughShape::bedrock_invoke, R"({"anthropic_version":"bedrock-2023-05-31","max_tokens":80})", 80, false},
      {PassthroughShape::bedrock_invoke, R"({"prompt":"hi","max_gen_len":80})", std::nullopt, true},  // Llama's
      {PassthroughShape::openai_embedding, R"({"max_tokens":10})", std::nullopt, false},
  };
  for (const auto& row : rows) {
    INFO(row.body);
    const auto asked = providers::asked_output_limit(parse(row.body), row.shape);
    CHECK(asked.tokens == row.tokens);
    CHECK(asked.unreadable == row.unreadable);
  }
}

TEST_CASE("the limit field a refusal names is the first one the walk could not read",
          "[providers][passthrough][budgets]") {
  struct Row {
    PassthroughShape shape;
    std::string body;
    std::optional<std::string_view> field;
  };
  const Row rows[] = {
      {PassthroughShape::openai_chat, R"({"max_tokens":"100"})", "max_tokens"},
      {PassthroughShape::openai_chat, R"({"max_output_tokens":-1,"max_completion_tokens":1e5})",
       "max_completion_tokens"},
      {PassthroughShape::openai_chat, R"({"max_tokens":100,"max_output_tokens":0})", "max_output_tokens"},
      {PassthroughShape::openai_chat, R"({"max_tokens":100,"max_completion_tokens":null})", std::nullopt},
      {PassthroughShape::gemini_generate, R"({"generationConfig":{"maxOutputTokens":"40"}})", "maxOutputTokens"},
      {PassthroughShape::gemini_generate, R"({"generationConfig":[]})", "generationConfig"},
      {PassthroughShape::bedrock_invoke, R"({"prompt":"hi","max_gen_len":80})", std::nullopt},  // no field read
  };
  for (const auto& row : rows) {
    INFO(row.body);
    CHECK(providers::unreadable_limit_field(parse(row.body), row.shape) == row.field);
  }
}

TEST_CASE("the gateway's output limit, written where each wire format's provider reads it",
          "[providers][passthrough][budgets]") {
  struct Row {
    PassthroughShape shape;
    std::string body;
    bool can_write;
    std::string written;  // the body after writing 64
  };
  const Row rows[] = {
      {PassthroughShape::openai_chat, R"({"model":"m"})", true, R"({"model":"m","max_completion_tokens":64})"},
      {PassthroughShape::openai_chat, R"({"max_tokens":null})", true,
       R"({"max_tokens":null,"max_completion_tokens":64})"},
      {PassthroughShape::openai_completion, R"({})", true, R"({"max_tokens":64})"},
      {PassthroughShape::openai_responses, R"({})", true, R"({"max_output_tokens":64})"},
      {PassthroughShape::anthropic_messages, R"({"max_tokens":null})", true, R"({"max_tokens":64})"},
      {PassthroughShape::gemini_generate, R"({})", true, R"({"generationConfig":{"maxOutputTokens":64}})"},
      {PassthroughShape::gemini_generate, R"({"generationConfig":null})", true,
       R"({"generationConfig":{"maxOutputTokens":64}})"},
      {PassthroughShape::gemini_generate, R"({"generationConfig":{"topK":2}})", true,
       R"({"generationConfig":{"topK":2,"maxOutputTokens":64}})"},
      {PassthroughShape::gemini_generate, R"({"generation_config":{"top_k":2}})", true,
       R"({"generation_config":{"top_k":2,"maxOutputTokens":64}})"},
      {PassthroughShape::bedrock_converse, R"({"inferenceConfig":{"temperature":1}})", true,
       R"({"inferenceConfig":{"temperature":1,"maxTokens":64}})"},
      {PassthroughShape::bedrock_invoke, R"({"anthropic_version":"v"})", true,
       R"({"anthropic_version":"v","max_tokens":64})"},
      {PassthroughShape::bedrock_invoke, R"({"prompt":"hi"})", false, ""},
      {PassthroughShape::openai_embedding, R"({})", false, ""},
      {PassthroughShape::other, R"({})", false, ""},
  };
  for (const auto& row : rows) {
    INFO(row.body);
    auto body = parse(row.body);
    CHECK(providers::can_write_output_limit(body, row.shape) == row.can_write);
    if (!row.can_write) continue;
    providers::write_output_limit(body, row.shape, 64);
    CHECK(providers::json::serialize(body) == row.written);
    const auto read_back = providers::asked_output_limit(body, row.shape);
    CHECK(read_back.tokens == 64);
    CHECK_FALSE(read_back.unreadable);
  }
}
