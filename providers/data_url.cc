#include "providers/data_url.h"

#include <cctype>

namespace tollgate::providers {
namespace {

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

}  // namespace

bool is_data_url(std::string_view url) { return starts_with_ignoring_case(url, "data:"); }

bool is_http_url(std::string_view url) {
  return starts_with_ignoring_case(url, "https://") || starts_with_ignoring_case(url, "http://");
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
