#include "providers/vertex/vertex_embedding.h"

#include <vector>

#include "providers/json_util.h"
#include "providers/openai_format.h"

namespace tollgate::providers::vertex {
namespace {

core::ApiError input_refused() {
  return core::bad_request("Vertex AI embeddings take 'input' as a string or an array of strings", "input");
}

}  // namespace

core::Result<std::string> embedding_predict_body(const rapidjson::Document& request) {
  if (const auto format = json::string_or(request, "encoding_format", "float");
      format != "float" && format != "base64") {
    return core::bad_request("'encoding_format' must be \"float\" or \"base64\"", "encoding_format");
  }
  const auto* input = json::member(request, "input");
  if (input == nullptr) return input_refused();
  std::vector<std::string_view> texts;
  if (input->IsString()) {
    texts.emplace_back(input->GetString(), input->GetStringLength());
  } else if (input->IsArray() && !input->Empty()) {
    for (const auto& item : input->GetArray()) {
      if (!item.IsString()) return input_refused();
      texts.emplace_back(item.GetString(), item.GetStringLength());
    }
  } else {
    return input_refused();
  }
  rapidjson::StringBuffer buffer;
  json::Writer w(buffer);
  w.StartObject();
  w.Key("instances");
  w.StartArray();
  for (const auto text : texts) {
    w.StartObject();
    w.Key("content");
    json::write_string(w, text);
    w.EndObject();
  }
  w.EndArray();
  if (const auto* dimensions = json::present(request, "dimensions")) {
    if (!dimensions->IsInt64() || dimensions->GetInt64() <= 0) {
      return core::bad_request("'dimensions' must be a positive integer", "dimensions");
    }
    w.Key("parameters");
    w.StartObject();
    w.Key("outputDimensionality");
    w.Int64(dimensions->GetInt64());
    w.EndObject();
  }
  w.EndObject();
  return std::string(json::written(buffer));
}

core::Result<ClientBody> embedding_response(std::string_view upstream_body, const rapidjson::Document& request,
                                            std::string_view model_group) {
  const auto not_vertex = [] { return core::bad_gateway("The Vertex AI embeddings answer could not be read"); };
  rapidjson::Document d;
  if (!json::parse(upstream_body, d) || !d.IsObject()) return not_vertex();
  const auto* predictions = json::member(d, "predictions");
  if (predictions == nullptr || !predictions->IsArray()) return not_vertex();
  std::vector<std::vector<float>> vectors;
  core::Usage usage;
  bool usage_found = false;
  for (const auto& prediction : predictions->GetArray()) {
    const auto* embeddings = prediction.IsObject() ? json::member(prediction, "embeddings") : nullptr;
    const auto* values =
        embeddings != nullptr && embeddings->IsObject() ? json::member(*embeddings, "values") : nullptr;
    if (values == nullptr || !values->IsArray()) return not_vertex();
    auto& vector = vectors.emplace_back();
    vector.reserve(values->Size());
    for (const auto& value : values->GetArray()) {
      if (!value.IsNumber()) return not_vertex();
      vector.push_back(static_cast<float>(value.GetDouble()));
    }
    if (const auto* statistics = json::member(*embeddings, "statistics"); statistics && statistics->IsObject()) {
      usage.prompt_tokens += json::int_or(*statistics, "token_count");
      usage_found = usage_found || statistics->HasMember("token_count");
    }
  }
  ClientBody out;
  out.usage = usage;
  out.usage_found = usage_found;
  out.body = embeddings_body(model_group, vectors, usage, json::string_or(request, "encoding_format") == "base64");
  return out;
}

}  // namespace tollgate::providers::vertex
