#include <catch2/catch.hpp>

#include "http/upstream_url.h"

using namespace tollgate::http;

TEST_CASE("upstream URLs", "[http][client]") {
  struct Row {
    const char* url;
    bool tls;
    const char* host;
    int port;
    const char* base;
  };
  const Row rows[] = {
      {"https://api.openai.com/v1", true, "api.openai.com", 443, "/v1"},
      {"https://api.openai.com/v1/", true, "api.openai.com", 443, "/v1"},
      {"http://127.0.0.1:8000", false, "127.0.0.1", 8000, ""},
      {"http://localhost:11434/v1", false, "localhost", 11434, "/v1"},
      {"https://x.openai.azure.com", true, "x.openai.azure.com", 443, ""},
      {"http://[::1]:9000/api", false, "::1", 9000, "/api"},
      {"http://h:/v1", false, "h", 80, "/v1"},                   // "host:" is the default port
      {"https://h/v1/?api-version=1#x", true, "h", 443, "/v1"},  // query and fragment are no part of the base
      {"https://h?x=1", true, "h", 443, ""},                     // '?' ends the host
  };
  for (const auto& row : rows) {
    INFO(row.url);
    const auto u = parse_upstream_url(row.url);
    REQUIRE(u);
    CHECK(u->tls == row.tls);
    CHECK(u->host == row.host);
    CHECK(u->port == row.port);
    CHECK(u->base_path == row.base);
  }
  CHECK(parse_upstream_url("https://api.openai.com/v1")->host_header() == "api.openai.com");
  CHECK(parse_upstream_url("http://h:81")->host_header() == "h:81");
  CHECK(parse_upstream_url("http://[::1]:81")->host_header() == "[::1]:81");
}

TEST_CASE("malformed upstream URLs are rejected", "[http][client]") {
  for (const char* bad :
       {"ftp://x", "http://", "https://:80", "http://h:0", "http://h:99999", "http://user:pw@h/", "http://[::1",
        "http://h:12ab", "HTTPS://h", "http://[::1]x", "http://[]/", "http://h:000080", "//h/v1"}) {
    INFO(bad);
    CHECK_FALSE(parse_upstream_url(bad).has_value());
  }
}
