#pragma once
// base64 `data:` URLs, the way OpenAI carries inline images and files.
#include <optional>
#include <string>
#include <string_view>

namespace tollgate::providers {

struct DataUrl {
  std::string_view media_type;  // "image/png"
  std::string_view data;        // the base64 text, not decoded
};

// "data:image/png;base64,iVBOR…" → its media type and data; nullopt when `url` is not a
// base64 data URL with a media type.
std::optional<DataUrl> parse_base64_data_url(std::string_view url);

bool is_data_url(std::string_view url);
bool is_http_url(std::string_view url);

std::string base64_data_url(std::string_view media_type, std::string_view data);

}  // namespace tollgate::providers
