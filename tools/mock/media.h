#pragma once
// OpenAI's media endpoints (POST /v1/images/generations, /v1/audio/speech,
// /v1/audio/transcriptions as multipart/form-data, /v1/moderations) and Cohere's /v1/rerank,
// answered with the shapes and usage the providers send. Pure; the handler routes and applies
// the model's fault tokens.
#include <cstdint>
#include <string>
#include <string_view>

namespace tollgate::mock {

bool is_media_path(std::string_view path);

struct MediaReply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;   // an OpenAI error body when status != 200
  std::string model;  // the request's model (fault tokens), "" when it could not be read
};

// `sequence` makes ids distinct.
MediaReply answer_media(std::string_view path, std::string_view content_type, std::string_view body,
                        std::uint64_t sequence);

// The duration of a canonical 44-byte-header PCM WAV (byte rate at offset 28, data size at
// 40); 0 for anything else. The mock's own reading, independent of the gateway's.
double canonical_wav_seconds(std::string_view file);

}  // namespace tollgate::mock
