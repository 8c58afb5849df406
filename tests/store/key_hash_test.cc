// core/key_hash: the hash keys are stored under (LiteLLM's hash_token) and their display name.
#include <catch2/catch.hpp>

#include "core/key_hash.h"

using tollgate::core::hash_key;
using tollgate::core::key_display_name;

TEST_CASE("key hash: lowercase hex SHA-256, as LiteLLM's hash_token", "[store][key_hash]") {
  CHECK(hash_key("sk-1234") == "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b");
  CHECK(hash_key("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hash_key("sk-1234") != hash_key("sk-1235"));
}

TEST_CASE("key hash: display name keeps only the last 4 characters", "[store][key_hash]") {
  CHECK(key_display_name("sk-abcdefghijklmnop") == "sk-...mnop");
  CHECK(key_display_name("abc") == "sk-...abc");
  CHECK(key_display_name("") == "sk-...");
}
