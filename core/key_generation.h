#pragma once
#include <string>

namespace tollgate::core {

// "sk-" + 32 base64url characters: 192 bits from the operating system's CSPRNG (OpenSSL
// RAND_bytes). Throws std::runtime_error if no randomness is available.
std::string generate_virtual_key();

}  // namespace tollgate::core
