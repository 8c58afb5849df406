#include <catch2/catch.hpp>

#include "core/redaction.h"

using tollgate::core::Redactor;

TEST_CASE("sk- keys are removed wherever they appear", "[core][redaction]") {
  Redactor r;
  CHECK(r.redact("key=sk-abc123XYZ_-9 ok") == "key=[REDACTED] ok");
  CHECK(r.redact("sk-1234") == "[REDACTED]");
  CHECK(r.redact("\"sk-aa\",\"sk-bb\"") == "\"[REDACTED]\",\"[REDACTED]\"");
}

TEST_CASE("words that merely contain sk- are kept", "[core][redaction]") {
  Redactor r;
  CHECK(r.redact("task-runner and desk-lamp") == "task-runner and desk-lamp");
  CHECK(r.redact("just sk-") == "just sk-");
}

TEST_CASE("bearer tokens keep the scheme and lose the token", "[core][redaction]") {
  Redactor r;
  CHECK(r.redact("Authorization: Bearer abc.def") == "Authorization: Bearer [REDACTED]");
  CHECK(r.redact("bearer    tok,") == "bearer    [REDACTED],");
}

TEST_CASE("JWTs are removed", "[core][redaction]") {
  Redactor r;
  const std::string jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl";
  CHECK(r.redact("token " + jwt + " end") == "token [REDACTED] end");
  CHECK(r.redact("eyJonly") == "eyJonly");
}

TEST_CASE("registered secrets are removed even without a known shape", "[core][redaction]") {
  Redactor r;
  r.add_secret("hunter2-provider-key");
  r.add_secret("abc");  // too short: ignored
  CHECK(r.redact("upstream said hunter2-provider-key is bad; abc") == "upstream said [REDACTED] is bad; abc");
  CHECK(r.contains_secret("xx hunter2-provider-key"));
  CHECK_FALSE(r.contains_secret("all clear"));
}

TEST_CASE("contains_secret agrees with redact", "[core][redaction]") {
  Redactor r;
  r.add_secret("postgresql://u:pw@h/db");
  for (const std::string text :
       {"plain", "sk-x1", "Bearer t", "eyJa.b.c", "postgresql://u:pw@h/db", "task-x", "Bearer"}) {
    INFO(text);
    CHECK(r.contains_secret(text) == (r.redact(text) != text));
  }
}
