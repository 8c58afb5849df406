#include "core/constant_time.h"

#include <openssl/crypto.h>

namespace tollgate::core {

bool constant_time_equals(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || a.empty()) {
    return false;
  }
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace tollgate::core
