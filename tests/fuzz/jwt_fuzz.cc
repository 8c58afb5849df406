// The JWT parser a bearer credential reaches before any signature is checked: the JOSE
// header, base64url parts, the claims' JSON. Anything malformed is refused (one 401), never a
// crash; what it accepts has a signing input that is a prefix of the token.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "identity/jwt/jose.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tollgate::identity::jwt;
  const std::string_view token(reinterpret_cast<const char*>(data), size);
  (void)looks_like_jwt(token);
  if (auto parsed = parse_token(token)) {
    if (token.substr(0, parsed->signing_input.size()) != parsed->signing_input) std::abort();
    if (!parsed->claims || !parsed->claims->IsObject()) std::abort();
  }
  return 0;
}
