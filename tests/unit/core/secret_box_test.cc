// core::SecretBox: AES-256-GCM sealing of stored provider keys.
#include <catch2/catch.hpp>

#include "core/secret_box.h"

using tollgate::core::SecretBox;

TEST_CASE("secret box: sealed text opens to the plaintext under the same salt key", "[secret_box]") {
  const SecretBox box("salt-one");
  const std::vector<std::string> plains = {"", "sk-provider-123", std::string(1000, 'x'), std::string("a\0b", 3)};
  for (const auto& plain : plains) {
    const auto sealed = box.seal(plain);
    CHECK(sealed.rfind("v1:", 0) == 0);
    if (!plain.empty()) CHECK(sealed.find(plain) == std::string::npos);
    CHECK(box.open(sealed) == plain);
    CHECK(SecretBox("salt-one").open(sealed) == plain);  // the key is derived, not random
  }
}

TEST_CASE("secret box: each seal draws a new nonce", "[secret_box]") {
  const SecretBox box("salt-one");
  CHECK(box.seal("same") != box.seal("same"));
}

TEST_CASE("secret box: another salt key, altered or malformed text opens to nothing", "[secret_box]") {
  const SecretBox box("salt-one");
  const auto sealed = box.seal("sk-provider-123");
  CHECK_FALSE(SecretBox("salt-two").open(sealed));
  for (std::size_t i = 3; i < sealed.size(); i += 7) {
    auto altered = sealed;
    altered[i] = altered[i] == '0' ? '1' : '0';
    INFO(i);
    CHECK_FALSE(box.open(altered));
  }
  CHECK_FALSE(box.open(""));
  CHECK_FALSE(box.open("v1:"));
  CHECK_FALSE(box.open("v1:zz"));
  CHECK_FALSE(box.open("v2:" + sealed.substr(3)));
  CHECK_FALSE(box.open(sealed.substr(0, sealed.size() - 2)));
  CHECK_FALSE(box.open("sk-provider-123"));
  CHECK_THROWS_AS(SecretBox(""), std::invalid_argument);
}
