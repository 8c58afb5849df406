#pragma once
// Vertex AI text embeddings (`vertex_ai/text-embedding-004`, `text-multilingual-embedding-002`,
// …) for /v1/embeddings: the OpenAI request becomes Vertex's `:predict` body
// {"instances":[{"content": text}, …], "parameters":{"outputDimensionality": dimensions}}, and the
// answer's predictions[].embeddings.values become OpenAI's data[].embedding, with
// predictions[].embeddings.statistics.token_count summed as the prompt tokens.
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "core/result.h"
#include "providers/response_relay.h"

namespace tollgate::providers::vertex {

// The `:predict` body; a 400 for input Vertex cannot embed (token arrays, non-text) or an
// encoding_format other than "float" and "base64".
core::Result<std::string> embedding_predict_body(const rapidjson::Document& request);

// The OpenAI embeddings answer with its usage: floats, or base64 float32s when the request's
// encoding_format is "base64" (what the openai SDKs ask unless told); a 502 when the body is
// not Vertex's.
core::Result<ClientBody> embedding_response(std::string_view upstream_body, const rapidjson::Document& request,
                                            std::string_view model_group);

}  // namespace tollgate::providers::vertex
