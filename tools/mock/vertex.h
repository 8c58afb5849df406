#pragma once
// Vertex AI's routes: /{version}/projects/{p}/locations/{l}/publishers/google/models/{m}:generateContent
// and :streamGenerateContent (Gemini's wire), .../publishers/anthropic/models/{m}:rawPredict and
// :streamRawPredict (Anthropic Messages with the model in the path and anthropic_version
// "vertex-2023-10-16" in the body), each with an OAuth2 bearer token that tollgate-mock's
// token endpoint granted (tools/mock/google_token.h). Pure; the handler routes and answers.
#include <optional>
#include <string>
#include <string_view>

namespace tollgate::mock {

struct VertexRoute {
  bool anthropic = false;  // publishers/anthropic (else publishers/google)
  std::string_view model;
  bool stream = false;
  bool predict = false;  // publishers/google/models/{m}:predict (text embeddings)
};

// nullopt when `path` is not a Vertex AI model route.
std::optional<VertexRoute> vertex_route_of(std::string_view path);

// What Vertex would refuse in the request ("" when nothing), and with which status: 401 without
// a token this mock granted, 400 for an Anthropic body naming a model or lacking the version.
struct VertexProblem {
  int status = 0;
  std::string message;
};
VertexProblem vertex_request_problem(const VertexRoute& route, std::string_view authorization, std::string_view body);

// The `:predict` answer of a text-embedding model: per instance, `embeddings.values` (the
// request's parameters.outputDimensionality values, else 8, seeded by the content) and
// `embeddings.statistics.token_count` (content bytes / 4, at least 1); "" when the body has no
// instances[].content strings (the caller answers 400).
std::string vertex_predict_answer(std::string_view body);

}  // namespace tollgate::mock
