#pragma once
// A Google service-account key for the Vertex AI tests: the throwaway RSA key of the
// google-auth-library vectors (tests/unit/providers/fixtures), with a token_uri at
// tollgate-mock's token endpoint. Built into the suites that define TOLLGATE_SOURCE_DIR.
#include <string>

#include "tests/support/mock_upstream.h"

namespace tollgate::testing {

// tollgate-mock's token endpoint (`path` on the mock).
std::string token_uri(const MockUpstream& mock, const std::string& path = "/token");

// A service-account key file's JSON whose token_uri is `token_uri` (project_id "key-project").
std::string service_account_json(const std::string& token_uri);

// Writes `content` to a fresh file under the test's temporary directory; its path.
std::string write_key_file(const std::string& content);

// YAML single-quoted: the key's JSON as a string value.
std::string single_quoted(const std::string& text);

}  // namespace tollgate::testing
