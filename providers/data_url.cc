#include "providers/data_url.h"

#include "core/ascii_case.h"

namespace tollgate::providers {

bool is_data_url(std::string_view url) { return core::ascii_istarts_with(url, "data:"); }

bool is_http_url(std::string_view url) {
  return core::ascii_istarts_with(url, "https://") || core::ascii_istarts_with(url, "http://");
}

std::optional<DataUrl> parse_base64_data_url(std::string_view url) {
  if (!is_data_url(url)) return std::nullopt;
  const auto comma = url.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  const std::string_view header = url.substr(5, comma - 5);  // "image/png;base64"
  constexpr std::string_view kBase64 = ";base64";
  if (header.size() < kBase64.size() || header.substr(header.size() - kBase64.size()) != kBase64) {
    return std::nullopt;
  }
  // Parameters such as ";charset=utf-8" may sit between the media type and ";base64".
  const std::string_view media_type = header.substr(0, header.find(';'));
  if (media_type.empty()) return std::nullopt;
  return DataUrl{media_type, url.substr(comma + 1)};
}

std::string base64_data_url(std::string_view media_type, std::string_view data) {
  std::string url;
  url.reserve(media_type.size() + data.size() + 13);
  url += "data:";
  url += media_type;
  url += ";base64,";
  url += data;
  return url;
}

}  // namespace tollgate::providers
