#include "providers/bedrock/embeddings.h"

#include <vector>

#include "core/token_estimate.h"
#include "providers/json_util.h"
#include "providers/openai_format.h"
#include "providers/translation.h"

namespace tollgate::providers::bedrock {
namespace {

using rapidjson::Value;

constexpr std::string_view kDefaultCohereInputType = "search_document";

// The request's inputs: `input` as a string or an array of strings.
core::Result<std::vector<std::string_view>> text_inputs(const Value& request) {
  std::vector<std::string_view> texts;
  const auto* input = json::member(request, "input");
  if (input != nullptr && input->IsString()) {
    texts.emplace_back(input->GetString(), input->GetStringLength());
    return texts;
  }
  if (input != nullptr && input->IsArray() && !input->Empty()) {
    for (const auto& item : input->GetArray()) {
      if (!item.IsString()) break;
      texts.emplace_back(item.GetString(), item.GetStringLength());
    }
    if (texts.size() == input->Size()) return texts;
  }
  return core::bad_request(
      "Bedrock embedding models take text: 'input' must be a string or a non-empty array of strings", "input");
}

std::int64_t estimated_tokens(const std::vector<std::string_view>& texts) {
  std::int64_t tokens = 0;
  for (const auto text : texts) tokens += core::estimate_tokens(text);
  return tokens;
}

// One vector of numbers; false when it is not one.
bool read_vector(const Value& value, std::vector<float>& out) {
  if (!value.IsArray()) return false;
  out.reserve(value.Size());
  for (const auto& number : value.GetArray()) {
    if (!number.IsNumber()) return false;
    out.push_back(static_cast<float>(number.GetDouble()));
  }
  return true;
}

// Cohere's vectors: [[…], …], or by type ({"float": [[…], …]}) as embed-v4 answers.
bool read_vectors(const Value& embeddings, std::vector<std::vector<float>>& out) {
  const Value* list = &embeddings;
  if (embeddings.IsObject()) list = json::member(embeddings, "float");
  if (list == nullptr || !list->IsArray()) return false;
  for (const auto& vector : list->GetArray()) {
    out.emplace_back();
    if (!read_vector(vector, out.back())) return false;
  }
  return true;
}

bool wants_base64(const Value& request) { return json::string_or(request, "encoding_format") == "base64"; }

}  // namespace

core::Result<std::string> titan_embedding_body(const Value& request) {
  auto texts = text_inputs(request);
  if (!texts) return std::move(texts).error();
  if (texts->size() != 1) {
    return core::bad_request(
        "Bedrock Titan embedding models embed one input per request: send each input in its own request", "input");
  }
  rapidjson::Document body(rapidjson::kObjectType);
  auto& a = body.GetAllocator();
  body.AddMember("inputText", json::string_value(texts->front(), a), a);
  if (const auto* dimensions = json::member(request, "dimensions"); dimensions && dimensions->IsInt64()) {
    body.AddMember("dimensions", dimensions->GetInt64(), a);
  }
  return json::serialize(body);
}

core::Result<std::string> cohere_embedding_body(const Value& request) {
  auto texts = text_inputs(request);
  if (!texts) return std::move(texts).error();
  rapidjson::Document body(rapidjson::kObjectType);
  auto& a = body.GetAllocator();
  Value list(rapidjson::kArrayType);
  for (const auto text : *texts) list.PushBack(json::string_value(text, a), a);
  body.AddMember("texts", list, a);
  body.AddMember("input_type", json::string_value(json::string_or(request, "input_type", kDefaultCohereInputType), a),
                 a);
  return json::serialize(body);
}

core::Result<ClientBody> openai_embeddings_from_bedrock(std::string_view upstream_body, const Value& request,
                                                        std::string_view model_group) {
  rapidjson::Document d;
  if (!json::parse(upstream_body, d) || !d.IsObject()) {
    return untranslatable_response("Bedrock returned an embeddings body that is not a JSON object");
  }
  ClientBody out;
  std::vector<std::vector<float>> vectors;
  if (const auto* embedding = json::member(d, "embedding")) {  // Titan
    vectors.emplace_back();
    if (!read_vector(*embedding, vectors.back())) {
      return untranslatable_response("Bedrock's Titan embedding is not an array of numbers");
    }
    out.usage.prompt_tokens = json::int_or(d, "inputTextTokenCount");
    out.usage_found = json::member(d, "inputTextTokenCount") != nullptr;
  } else if (const auto* embeddings = json::member(d, "embeddings")) {  // Cohere
    if (!read_vectors(*embeddings, vectors)) {
      return untranslatable_response("Bedrock's Cohere embeddings are not arrays of numbers");
    }
    auto texts = text_inputs(request);
    out.usage.prompt_tokens = texts ? estimated_tokens(*texts) : 0;
  } else {
    return untranslatable_response("Bedrock's answer has neither 'embedding' nor 'embeddings'");
  }
  out.body = embeddings_body(model_group, vectors, out.usage, wants_base64(request));
  return out;
}

}  // namespace tollgate::providers::bedrock
