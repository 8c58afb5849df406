#pragma once
// Pricing of the media endpoints (images, speech, transcriptions, rerank, moderations): the
// unit each is priced by, the most units a request can be charged for (what admission
// reserves) and the units a call is settled with. Pure: no I/O.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cost_map.h"
#include "core/result.h"
#include "core/usage.h"

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

// --- Token-priced media models (gpt-image-1, gpt-4o-transcribe, gpt-4o-mini-tts)
//
// A deployment whose price has no unit price for the endpoint but token prices is charged by
// tokens: from the provider's `usage` when the answer carries it, else at the bound. The bound
// (what admission reserves) holds whatever the provider reports:
// - text the model reads (prompt, input, instructions): at most its UTF-8 bytes plus
//   kBoundTokensPerRequest (core/token_bound.h), at the dearest input price;
// - images generated: n × the output tokens of one image at its size and quality
//   (image_output_token_bound), at the dearest output price;
// - transcribed audio: the upload's longest audio (audio_seconds_bound) at
//   kBoundAudioTokensPerSecond, plus the model's maximum output of text tokens;
// - speech audio: kBoundSpeechAudioTokensPerCharacter per character of `input`.
// No settle exceeds the bound: a provider reporting more is charged the bound.

// OpenAI's audio tokens per second: 10 for input audio (gpt-4o); Gemini's 32 is the most any
// provider documents, taken as the bound.
inline constexpr std::int64_t kBoundAudioTokensPerSecond = 32;
// Speech output: OpenAI prices gpt-4o-mini-tts at about $0.015 a minute at $12 per million
// audio tokens, ~21 tokens a second; speech reads ~15 characters a second at speed 1 and ~3.75
// at the slowest speed (0.25): ≤ 6 tokens per character, with room to spare 8.
inline constexpr std::int64_t kBoundSpeechAudioTokensPerCharacter = 8;

// Output tokens of one gpt-image-1 image (OpenAI's image generation guide, "Cost and latency"):
//   quality   1024x1024  1024x1536  1536x1024
//   low          272        408        400
//   medium      1056       1584       1568
//   high        4160       6240       6208
// A size or quality that is absent, "auto" or unknown counts at the largest of its row or
// column (high, 1024x1536: 6,240).
std::int64_t image_output_token_bound(std::string_view size, std::string_view quality);

// --- Images priced by size and quality (dall-e-3, dall-e-2: ModelPrice::image_sizes)

// USD of one image of `size` and `quality` at `price`: its row of price.image_sizes, where an
// absent size ("") is the provider's default (1024x1024) and an absent or "auto" quality, which
// OpenAI resolves to "the best quality for the given model", the dearest quality of that size
// (dall-e-3: hd); output_per_image whatever the size when the price has no such table
// (model_info's output_cost_per_image). nullopt when the table has no such size or quality.
std::optional<double> image_price(const ModelPrice& price, std::string_view size, std::string_view quality);

// The dearest image of `price`: what an image it cannot price is bounded and charged by.
double dearest_image_price(const ModelPrice& price);

// Whether `price` prices an image of `size` and `quality` (image_price): else a 400 naming the
// field and the values `model` takes.
Status check_image_options(const ModelPrice& price, std::string_view model, std::string_view size,
                           std::string_view quality);

// What a media request says about its cost before the call (api/media_fields.h fills it).
struct MediaRequestFacts {
  MediaKind kind = MediaKind::moderation;
  MediaUnits units;                          // per-unit pricing: images, characters, seconds, search units
  std::int64_t text_bytes = 0;               // UTF-8 bytes of the text the model reads
  std::int64_t characters = 0;               // speech: characters of `input`
  std::int64_t images = 0;                   // image generations: n
  std::int64_t output_tokens_per_image = 0;  // image_output_token_bound(size, quality)
  std::string image_size;                    // the request's `size`, "" when absent
  std::string image_quality;                 // the request's `quality`, "" when absent
  double audio_seconds = 0;                  // transcriptions: audio_seconds_bound of the upload
};

// Whether `price` charges `kind` by tokens: it has no unit price for the endpoint but a token price.
bool priced_by_tokens(MediaKind kind, const ModelPrice& price);

// The most a request can cost at `price` (max_output_tokens: the model's maximum answer, for
// transcriptions and speech priced by tokens).
double media_cost_bound(const MediaRequestFacts& facts, const ModelPrice& price, std::int64_t max_output_tokens);

// What a call is charged: cost (never above media_cost_bound) and the tokens the provider
// reported (zero when priced per unit or when the answer says nothing).
struct MediaCharge {
  double cost = 0;
  Usage usage;
};
MediaCharge media_charge(const MediaRequestFacts& facts, const ModelPrice& price, std::int64_t max_output_tokens,
                         std::string_view answer);

// The token usage of a media answer: gpt-image's `usage` {input_tokens, output_tokens,
// input_tokens_details{text_tokens, image_tokens}}, or a transcription's `usage` {type: "tokens",
// input_tokens, output_tokens, input_token_details{audio_tokens, text_tokens}}; nullopt when
// the answer carries neither.
struct MediaTokenUsage {
  Usage usage;                   // prompt = input tokens (audio_prompt_tokens of them), completion = output
  std::int64_t image_input = 0;  // of usage.prompt_tokens: image tokens (image edits)
};
std::optional<MediaTokenUsage> reported_media_tokens(MediaKind kind, std::string_view answer);

}  // namespace tollgate::core
