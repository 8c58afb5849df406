// The URL split (core/url_split.h) as tables: where each part starts and ends, for the URLs
// the gateway meets (api_base, MCP and JWKS URLs) and the tricky spellings the SSRF policy and
// the metric labels have to see the same way.
#include <catch2/catch.hpp>

#include "core/url_split.h"

using namespace tollgate::core;

namespace {

constexpr const char* kNone = nullptr;  // the part is absent (differs from present and empty)

void check_part(const std::optional<std::string_view>& got, const char* want) {
  if (!want) {
    CHECK_FALSE(got.has_value());
  } else {
    REQUIRE(got.has_value());
    CHECK(*got == want);
  }
}

}  // namespace

TEST_CASE("url split: scheme, userinfo, authority, path, query, fragment", "[core][url_split]") {
  struct Row {
    const char* url;
    const char* scheme;
    const char* userinfo;
    const char* host_port;
    const char* path;
    const char* query;
    const char* fragment;
  };
  const Row rows[] = {
      {"https://api.openai.com/v1", "https", kNone, "api.openai.com", "/v1", kNone, kNone},
      {"HTTPS://API.OpenAI.com:443/v1/", "HTTPS", kNone, "API.OpenAI.com:443", "/v1/", kNone, kNone},
      {"http://[::1]:8080/mcp", "http", kNone, "[::1]:8080", "/mcp", kNone, kNone},
      {"https://user:pw@host.example:8443/v1?api-key=abc#top", "https", "user:pw", "host.example:8443", "/v1",
       "api-key=abc", "top"},
      {"https://a@b@host/x", "https", "a@b", "host", "/x", kNone, kNone},  // the last '@' ends the userinfo
      {"http://h\\@127.0.0.1/", "http", "h\\", "127.0.0.1", "/", kNone, kNone},
      {"https://host?q=1/2", "https", kNone, "host", "", "q=1/2", kNone},  // '?' ends the authority
      {"https://host#f/g?h", "https", kNone, "host", "", kNone, "f/g?h"},  // so does '#'
      {"https://host/p?#", "https", kNone, "host", "/p", "", ""},
      {"https://host?u=a@b", "https", kNone, "host", "", "u=a@b", kNone},  // an '@' in the query is no userinfo
      {"http:///mcp", "http", kNone, "", "/mcp", kNone, kNone},            // empty host
      {"http://", "http", kNone, "", "", kNone, kNone},
      {"://host/x", "", kNone, "host", "/x", kNone, kNone},
      // no scheme: a ':' not followed by "//", or a '/', '?', '#' before the "://"
      {"localhost:8080/v1", kNone, kNone, "localhost:8080", "/v1", kNone, kNone},
      {"api.openai.com", kNone, kNone, "api.openai.com", "", kNone, kNone},
      {"file:/etc/passwd", kNone, kNone, "file:", "/etc/passwd", kNone, kNone},
      {"host/x?u=http://y", kNone, kNone, "host", "/x", "u=http://y", kNone},
      {"user@host/x", kNone, "user", "host", "/x", kNone, kNone},
      {"", kNone, kNone, "", "", kNone, kNone},
  };
  for (const auto& row : rows) {
    INFO(row.url);
    const auto parts = split_url(row.url);
    check_part(parts.scheme, row.scheme);
    check_part(parts.userinfo, row.userinfo);
    CHECK(parts.host_port == row.host_port);
    CHECK(parts.path == row.path);
    check_part(parts.query, row.query);
    check_part(parts.fragment, row.fragment);
  }
}

TEST_CASE("url split: host and port", "[core][url_split]") {
  struct Row {
    const char* host_port;
    const char* host;
    bool bracketed;
    const char* port;
    const char* error;  // nullptr: splits; else a part of the 400's message
  };
  const Row rows[] = {
      {"api.openai.com", "api.openai.com", false, kNone, nullptr},
      {"h:8080", "h", false, "8080", nullptr},
      {"h:", "h", false, "", nullptr},  // present and empty: callers decide (the SSRF policy refuses it)
      {"h:99999", "h", false, "99999", nullptr},
      {"[::1]", "::1", true, kNone, nullptr},
      {"[::1]:8080", "::1", true, "8080", nullptr},
      {"[::1]:", "::1", true, "", nullptr},
      {"[fe80::1%25eth0]", "fe80::1%25eth0", true, kNone, nullptr},
      {"[]", "", true, kNone, nullptr},
      {"::1", ":", false, "1", nullptr},  // an unbracketed IPv6 address splits at its last ':'
      {"", "", false, kNone, nullptr},
      {":80", "", false, "80", nullptr},
      {"[::1", nullptr, false, nullptr, "unterminated IPv6 literal"},
      {"[::1]8080", nullptr, false, nullptr, "unexpected text after the IPv6 literal"},
      {"[::1]x:80", nullptr, false, nullptr, "unexpected text after the IPv6 literal"},
  };
  for (const auto& row : rows) {
    INFO(row.host_port);
    const auto split = split_host_port(row.host_port);
    if (row.error) {
      REQUIRE_FALSE(split.ok());
      CHECK(split.error().status == 400);
      CHECK_THAT(split.error().message, Catch::Contains(row.error));
      continue;
    }
    REQUIRE(split.ok());
    CHECK(split->host == row.host);
    CHECK(split->bracketed == row.bracketed);
    check_part(split->port, row.port);
  }
}

TEST_CASE("url split: port numbers and the Host header", "[core][url_split]") {
  CHECK(parse_port("1") == 1);
  CHECK(parse_port("443") == 443);
  CHECK(parse_port("08080") == 8080);
  CHECK(parse_port("65535") == 65535);
  for (const char* bad : {"", "0", "00000", "65536", "99999", "100000", "000080", "-1", "+80", "8o", " 80", "80 "}) {
    INFO(bad);
    CHECK_FALSE(parse_port(bad));
  }
  const auto port_of = [](const char* host_port, bool tls) {
    return port_or_default(*split_host_port(host_port), tls);
  };
  CHECK(port_of("h", true) == 443);
  CHECK(port_of("h", false) == 80);
  CHECK(port_of("h:", true) == 443);  // "host:" names no port: the scheme's
  CHECK(port_of("[::1]:", false) == 80);
  CHECK(port_of("h:8443", false) == 8443);
  CHECK_FALSE(port_of("h:0", true));
  CHECK_FALSE(port_of("h:x", false));
  CHECK(host_header(true, "api.openai.com", 443) == "api.openai.com");
  CHECK(host_header(true, "h", 80) == "h:80");
  CHECK(host_header(false, "h", 80) == "h");
  CHECK(host_header(false, "h", 8443) == "h:8443");
  CHECK(host_header(false, "::1", 81) == "[::1]:81");
  CHECK(host_header(true, "::1", 443) == "[::1]");
}
