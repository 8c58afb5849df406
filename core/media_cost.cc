#include "core/media_cost.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/json_parse.h"

namespace tollgate::core {
namespace {

std::uint32_t little_endian_32(std::string_view bytes, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)]);
  return v;
}

const rapidjson::Value* member(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return nullptr;
  const auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

std::optional<double> non_negative_number(const rapidjson::Value* v) {
  if (v == nullptr || !v->IsNumber() || v->GetDouble() < 0) return std::nullopt;
  return v->GetDouble();
}

}  // namespace

std::string_view media_call_type(MediaKind kind) {
  switch (kind) {
    case MediaKind::image_generation: return "aimage_generation";
    case MediaKind::speech: return "aspeech";
    case MediaKind::transcription: return "atranscription";
    case MediaKind::rerank: return "arerank";
    case MediaKind::moderation: return "amoderation";
  }
  return "amoderation";
}

double media_unit_price(MediaKind kind, const ModelPrice& price) {
  switch (kind) {
    case MediaKind::image_generation: return price.output_per_image;
    case MediaKind::speech: return price.input_per_character;
    case MediaKind::transcription: return price.input_per_second;
    case MediaKind::rerank: return price.input_per_query;
    case MediaKind::moderation: return 0;
  }
  return 0;
}

double settled_media_units(const MediaUnits& units, std::optional<double> reported) {
  return std::clamp(reported.value_or(units.fallback), 0.0, units.bound);
}

std::optional<double> reported_media_units(MediaKind kind, std::string_view answer) {
  if (kind == MediaKind::speech || kind == MediaKind::moderation) return std::nullopt;
  rapidjson::Document d;
  if (parse_json(answer, d) || !d.IsObject()) return std::nullopt;  // not JSON: says nothing
  switch (kind) {
    case MediaKind::image_generation: {
      const auto* data = member(d, "data");
      if (data == nullptr || !data->IsArray()) return std::nullopt;
      return static_cast<double>(data->Size());
    }
    case MediaKind::transcription: {
      if (const auto* usage = member(d, "usage")) {
        if (auto seconds = non_negative_number(member(*usage, "seconds"))) return seconds;
      }
      return non_negative_number(member(d, "duration"));
    }
    case MediaKind::rerank: {
      const auto* meta = member(d, "meta");
      const auto* billed = meta ? member(*meta, "billed_units") : nullptr;
      return billed ? non_negative_number(member(*billed, "search_units")) : std::nullopt;
    }
    default: return std::nullopt;
  }
}

std::int64_t utf8_characters(std::string_view text) {
  // Every code point has exactly one byte that is not a continuation byte (10xxxxxx).
  return std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
}

double audio_seconds_bound(std::size_t bytes) {
  return std::ceil(static_cast<double>(bytes) / kMinAudioBytesPerSecond);
}

std::optional<double> wav_duration_seconds(std::string_view file) {
  if (file.size() < 12 || file.substr(0, 4) != "RIFF" || file.substr(8, 4) != "WAVE") return std::nullopt;
  std::uint32_t byte_rate = 0;
  for (std::size_t at = 12; at + 8 <= file.size();) {
    const auto id = file.substr(at, 4);
    const std::size_t size = little_endian_32(file, at + 4);
    const std::size_t body = at + 8;
    if (id == "fmt " && size >= 16 && body + 16 <= file.size()) byte_rate = little_endian_32(file, body + 8);
    if (id == "data") {
      if (byte_rate == 0) return std::nullopt;  // no fmt chunk before the data: not a WAV we can read
      // A streamed WAV may say 0xFFFFFFFF: what the file holds is what counts.
      const std::size_t held = std::min(size, file.size() - body);
      return static_cast<double>(held) / byte_rate;
    }
    if (size > file.size() - body) return std::nullopt;
    at = body + size + (size & 1);  // chunks are padded to an even size
  }
  return std::nullopt;
}

MediaUnits rerank_units(const std::vector<std::size_t>& document_bytes) {
  double chunks = 0;
  for (const auto bytes : document_bytes) {
    chunks += std::max(1.0, std::ceil(static_cast<double>(bytes) / kMinRerankChunkTokens));
  }
  MediaUnits units;
  units.bound = std::ceil(chunks / 100);
  units.fallback = std::ceil(static_cast<double>(document_bytes.size()) / 100);
  return units;
}

}  // namespace tollgate::core
