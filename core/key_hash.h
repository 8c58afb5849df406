#pragma once
// Virtual keys are stored and looked up by their SHA-256 only; the cleartext is shown once.
#include <string>
#include <string_view>

namespace tollgate::core {

// Lowercase hex SHA-256 of the key, exactly LiteLLM's `hash_token` (no salt), so databases
// and clients written for LiteLLM keep working.
std::string hash_key(std::string_view cleartext);

// "sk-...abcd": the prefix and the last 4 characters, enough for a human to recognise a key
// in a list without it being usable.
std::string key_display_name(std::string_view cleartext);

}  // namespace tollgate::core
