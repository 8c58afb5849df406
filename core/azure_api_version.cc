#include "core/azure_api_version.h"

namespace tollgate::core {
namespace {

// "YYYY-MM-DD", alone or before a suffix such as "-preview".
bool dated(std::string_view version) {
  if (version.size() < 10 || version[4] != '-' || version[7] != '-') return false;
  for (const std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (version[i] < '0' || version[i] > '9') return false;
  }
  return version.size() == 10 || version[10] == '-';
}

}  // namespace

bool azure_accepts_stream_options(std::string_view api_version) {
  if (!dated(api_version)) return true;
  return api_version.substr(0, 10) >= "2024-09-01";  // same-length dates compare as text
}

}  // namespace tollgate::core
