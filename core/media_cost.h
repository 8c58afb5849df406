#pragma once
// Pricing of the media endpoints (images, speech, transcriptions, rerank, moderations): the
// unit each is priced by, the most units a request can be charged for (what admission
// reserves) and the units a call is settled with. Pure: no I/O.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/cost_map.h"

namespace tollgate::core {

enum class MediaKind { image_generation, speech, transcription, rerank, moderation };

// LiteLLM's call_type of each endpoint, for the spend log ("aimage_generation", ...).
std::string_view media_call_type(MediaKind kind);

// USD per unit of `kind` at `price`: per image generated, per character of speech input, per
// second of transcribed audio, per rerank search unit; moderations are free (0).
double media_unit_price(MediaKind kind, const ModelPrice& price);

// The units of one request as known before the call: `bound` is the most the call may be
// charged for (admission reserves bound × the group's highest unit price); `fallback` is what
// it is charged for when the provider's answer does not say.
struct MediaUnits {
  double bound = 0;
  double fallback = 0;
};

// What the call is charged for: the provider's figure when it reports one, else the
// fallback, never above the bound (so a settle never exceeds its reservation).
double settled_media_units(const MediaUnits& units, std::optional<double> reported);

// The units a provider's answer reports: images in `data`, transcription seconds
// (usage.seconds, else duration), Cohere's meta.billed_units.search_units. nullopt when the
// answer says nothing (a speech answer is audio; a text transcription is plain text).
std::optional<double> reported_media_units(MediaKind kind, std::string_view answer);

// Characters (Unicode code points) of UTF-8 text: what speech is priced by.
std::int64_t utf8_characters(std::string_view text);

// The longest audio an upload of `bytes` can hold: no format OpenAI transcribes carries audio
// below kMinAudioBytesPerSecond (Opus's lowest rate is 6 kbit/s = 750 B/s; MP3's 8 kbit/s).
inline constexpr double kMinAudioBytesPerSecond = 500;
double audio_seconds_bound(std::size_t bytes);

// The duration of a PCM WAV file (RIFF/WAVE: the data chunk's size over the fmt chunk's byte
// rate), nullopt when `file` is not one.
std::optional<double> wav_duration_seconds(std::string_view file);

// Cohere search units of a rerank request: one per 100 documents, a document longer than a
// chunk counting once per chunk. The bound takes every chunk at its smallest
// (kMinRerankChunkTokens, tokens never outnumbering bytes); the fallback counts documents.
inline constexpr double kMinRerankChunkTokens = 256;
MediaUnits rerank_units(const std::vector<std::size_t>& document_bytes);

}  // namespace tollgate::core
