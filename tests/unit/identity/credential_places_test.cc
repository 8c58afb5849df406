// Where a request's key is read: the standard headers everywhere; Google's x-goog-api-key only
// where a route asks for it (the Gemini and Vertex AI pass-through routes).
#include <catch2/catch.hpp>

#include "identity/authenticator.h"
#include "tests/support/fake_exchange.h"

using namespace tollgate;
using identity::CredentialPlaces;
using identity::extract_credential;

TEST_CASE("credential places: x-goog-api-key only when the route accepts it", "[identity][auth]") {
  const testing::FakeExchange google(http::Method::post, "/gemini/v1beta/models/m:generateContent", "",
                                     {{"x-goog-api-key", "sk-tollgate-key"}});
  CHECK(extract_credential(google).empty());
  CHECK(extract_credential(google, CredentialPlaces::standard).empty());
  CHECK(extract_credential(google, CredentialPlaces::also_google_api_key) == "sk-tollgate-key");

  // The standard headers come first: a Vertex SDK's own Google token in Authorization must not
  // hide the key in x-litellm-api-key.
  const testing::FakeExchange both(http::Method::post, "/vertex_ai/v1/x", "",
                                   {{"authorization", "Bearer ya29.google"},
                                    {"x-litellm-api-key", "Bearer sk-in-litellm-header"},
                                    {"x-goog-api-key", "sk-in-google-header"}});
  CHECK(extract_credential(both, CredentialPlaces::also_google_api_key) == "sk-in-litellm-header");
  const testing::FakeExchange bearer(http::Method::post, "/gemini/x", "",
                                     {{"authorization", "Bearer sk-bearer"}, {"x-goog-api-key", "sk-google"}});
  CHECK(extract_credential(bearer, CredentialPlaces::also_google_api_key) == "sk-bearer");

  // ?key= is read by Authenticator::authenticate, never by the header extraction.
  const testing::FakeExchange query(http::Method::post, "/gemini/x?key=sk-in-query");
  CHECK(extract_credential(query, CredentialPlaces::also_google_api_key).empty());
}
