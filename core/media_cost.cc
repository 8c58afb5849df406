#include "core/media_cost.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/json_parse.h"
#include "core/token_bound.h"

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

std::int64_t count_of(const rapidjson::Value* v) {
  return v != nullptr && v->IsInt64() && v->GetInt64() > 0 ? v->GetInt64() : 0;
}

double dearer(double a, double b) { return std::max(a, b); }
double or_else(double price, double fallback) { return price > 0 ? price : fallback; }

std::int64_t text_token_bound(const MediaRequestFacts& facts) { return facts.text_bytes + kBoundTokensPerRequest; }

double token_cost_bound(const MediaRequestFacts& f, const ModelPrice& p, std::int64_t max_output_tokens) {
  const double text_in = static_cast<double>(text_token_bound(f));
  switch (f.kind) {
    case MediaKind::image_generation:
      return text_in * dearer(p.input_per_token, p.input_per_image_token) +
             static_cast<double>(f.images * f.output_tokens_per_image) *
                 dearer(p.output_per_token, p.output_per_image_token);
    case MediaKind::transcription:
      return text_in * p.input_per_token +
             std::ceil(f.audio_seconds * kBoundAudioTokensPerSecond) *
                 dearer(p.input_audio_per_token, p.input_per_token) +
             static_cast<double>(max_output_tokens) * p.output_per_token;
    case MediaKind::speech:
      return text_in * p.input_per_token + static_cast<double>(f.characters * kBoundSpeechAudioTokensPerCharacter) *
                                               dearer(p.output_audio_per_token, p.output_per_token);
    default: return 0;
  }
}

double token_cost(MediaKind kind, const MediaTokenUsage& t, const ModelPrice& p) {
  if (kind != MediaKind::image_generation) return cost_of(t.usage, p);  // transcription: text + audio in, text out
  const auto image_in = std::min(t.image_input, t.usage.prompt_tokens);
  return static_cast<double>(t.usage.prompt_tokens - image_in) * p.input_per_token +
         static_cast<double>(image_in) * or_else(p.input_per_image_token, p.input_per_token) +
         static_cast<double>(t.usage.completion_tokens) * or_else(p.output_per_image_token, p.output_per_token);
}

// USD per unit of the request: an image at its size and quality (one the deployment does not
// list, at its dearest: OpenAI refuses it, but a fallback's answer is never above the bound).
double request_unit_price(const MediaRequestFacts& f, const ModelPrice& p) {
  if (f.kind != MediaKind::image_generation) return media_unit_price(f.kind, p);
  return image_price(p, f.image_size, f.image_quality).value_or(dearest_image_price(p));
}

// OpenAI's reference: quality "defaults to auto", and "auto will automatically select the best
// quality for the given model" — hd for dall-e-3. So an absent or "auto" quality is priced at the
// dearest quality of its size: an upper bound whatever the provider picks.
bool provider_picks_quality(std::string_view quality) { return quality.empty() || quality == "auto"; }

// The values of `field` the table lists, each once: "standard, hd".
std::string listed(const ImagePrices& prices, std::string_view ImageSizePrice::*field) {
  std::vector<std::string_view> seen;
  std::string out;
  for (std::size_t i = 0; i < prices.count; ++i) {
    const auto value = prices.rows[i].*field;
    if (std::find(seen.begin(), seen.end(), value) != seen.end()) continue;
    seen.push_back(value);
    out += (out.empty() ? "" : ", ") + std::string(value);
  }
  return out;
}

}  // namespace

std::optional<double> image_price(const ModelPrice& price, std::string_view size, std::string_view quality) {
  if (price.image_sizes == nullptr) return price.output_per_image;
  const auto& prices = *price.image_sizes;
  if (size.empty()) size = prices.default_size;
  std::optional<double> found;
  for (std::size_t i = 0; i < prices.count; ++i) {
    const auto& row = prices.rows[i];
    if (row.size != size) continue;
    if (provider_picks_quality(quality)) {
      found = std::max(found.value_or(0.0), row.usd);
    } else if (row.quality == quality) {
      return row.usd;
    }
  }
  return found;
}

double dearest_image_price(const ModelPrice& price) {
  double most = price.output_per_image;
  if (price.image_sizes == nullptr) return most;
  for (std::size_t i = 0; i < price.image_sizes->count; ++i) most = std::max(most, price.image_sizes->rows[i].usd);
  return most;
}

Status check_image_options(const ModelPrice& price, std::string_view model, std::string_view size,
                           std::string_view quality) {
  if (image_price(price, size, quality)) return {};
  const auto& prices = *price.image_sizes;
  // The quality is wrong when no row has it, else the size is.
  const bool quality_known = provider_picks_quality(quality) ||
                             std::any_of(prices.rows, prices.rows + prices.count,
                                         [quality](const ImageSizePrice& row) { return row.quality == quality; });
  if (!quality_known) {
    return bad_request(
        "'quality' must be one of " + listed(prices, &ImageSizePrice::quality) + " for " + std::string(model),
        "quality");
  }
  return bad_request("'size' must be one of " + listed(prices, &ImageSizePrice::size) + " for " + std::string(model) +
                         (quality.empty() ? std::string() : " at quality " + std::string(quality)),
                     "size");
}

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

std::int64_t image_output_token_bound(std::string_view size, std::string_view quality) {
  static constexpr std::string_view kSizes[] = {"1024x1024", "1024x1536", "1536x1024"};
  static constexpr std::string_view kQualities[] = {"low", "medium", "high"};
  static constexpr std::int64_t kTokens[3][3] = {{272, 408, 400}, {1056, 1584, 1568}, {4160, 6240, 6208}};
  std::int64_t most = 0;
  for (int q = 0; q < 3; ++q) {
    const bool quality_matches = quality == kQualities[q] || std::find(std::begin(kQualities), std::end(kQualities),
                                                                       quality) == std::end(kQualities);
    for (int s = 0; s < 3; ++s) {
      const bool size_matches =
          size == kSizes[s] || std::find(std::begin(kSizes), std::end(kSizes), size) == std::end(kSizes);
      if (quality_matches && size_matches) most = std::max(most, kTokens[q][s]);
    }
  }
  return most;
}

bool priced_by_tokens(MediaKind kind, const ModelPrice& price) {
  if (kind != MediaKind::image_generation && kind != MediaKind::transcription && kind != MediaKind::speech)
    return false;
  if (media_unit_price(kind, price) > 0) return false;  // a unit price, when set, is what the deployment asks
  return price.input_per_token > 0 || price.output_per_token > 0 || price.input_per_image_token > 0 ||
         price.output_per_image_token > 0 || price.input_audio_per_token > 0 || price.output_audio_per_token > 0;
}

double media_cost_bound(const MediaRequestFacts& facts, const ModelPrice& price, std::int64_t max_output_tokens) {
  if (priced_by_tokens(facts.kind, price)) return token_cost_bound(facts, price, max_output_tokens);
  return facts.units.bound * request_unit_price(facts, price);
}

MediaCharge media_charge(const MediaRequestFacts& facts, const ModelPrice& price, std::int64_t max_output_tokens,
                         std::string_view answer) {
  MediaCharge charge;
  if (!priced_by_tokens(facts.kind, price)) {
    const auto units = settled_media_units(facts.units, reported_media_units(facts.kind, answer));
    charge.cost = units * request_unit_price(facts, price);
    return charge;
  }
  const double bound = token_cost_bound(facts, price, max_output_tokens);
  const auto reported = reported_media_tokens(facts.kind, answer);
  if (!reported) {  // the answer does not say (speech audio, a text transcription): its bound
    charge.cost = bound;
    return charge;
  }
  charge.usage = reported->usage;
  charge.cost = std::min(token_cost(facts.kind, *reported, price), bound);
  return charge;
}

std::optional<MediaTokenUsage> reported_media_tokens(MediaKind kind, std::string_view answer) {
  if (kind != MediaKind::image_generation && kind != MediaKind::transcription) return std::nullopt;
  rapidjson::Document d;
  if (parse_json(answer, d) || !d.IsObject()) return std::nullopt;
  const auto* usage = member(d, "usage");
  if (usage == nullptr || !usage->IsObject() || member(*usage, "input_tokens") == nullptr) return std::nullopt;
  MediaTokenUsage t;
  t.usage.prompt_tokens = count_of(member(*usage, "input_tokens"));
  t.usage.completion_tokens = count_of(member(*usage, "output_tokens"));
  // Images name it input_tokens_details, transcriptions input_token_details.
  const auto* details =
      member(*usage, kind == MediaKind::image_generation ? "input_tokens_details" : "input_token_details");
  if (details != nullptr) {
    if (kind == MediaKind::image_generation) {
      t.image_input = count_of(member(*details, "image_tokens"));
    } else {
      t.usage.audio_prompt_tokens = count_of(member(*details, "audio_tokens"));
    }
  }
  return t;
}

}  // namespace tollgate::core
