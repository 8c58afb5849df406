// Database credentials kept out of error messages (persistence/connection_text.h).
#include <catch2/catch.hpp>

#include "persistence/connection_text.h"

using namespace tollgate::persistence;

TEST_CASE("the password of a PostgreSQL URL is split where libpq splits it", "[persistence][secrets]") {
  struct Row {
    const char* url;
    const char* password;
  };
  const Row rows[] = {
      {"postgresql://tollgate:s3cret@db.example:5432/tollgate", "s3cret"},
      {"postgres://tollgate:s3cret@db.example", "s3cret"},
      {"postgresql://tollgate@db.example/tollgate", ""},  // no password
      {"postgresql://db.example/tollgate", ""},           // no credentials
      {"postgresql://tollgate:@db.example/tollgate", ""},
      {"postgresql://tollgate:pa?ss#word@db.example/tollgate", "pa?ss#word"},  // libpq: no query before '@'
      {"postgresql://tollgate:first@second@db.example/db", "first"},           // libpq: the first '@'
      {"postgresql://tollgate:pa:ss@db.example/db", "pa:ss"},                  // the user ends at the first ':'
      {"postgresql://db.example/tollgate?user=x&password=y@z", ""},            // an '@' after the '/'
      {"postgresql://h:5432/db", ""},
      {"host=db.example password=s3cret", ""},  // key=value text: not a URL
  };
  for (const auto& row : rows) {
    INFO(row.url);
    CHECK(url_password(row.url) == row.password);
  }
}

TEST_CASE("a driver message loses the URL, the password and every line after its first", "[persistence][secrets]") {
  const std::string url = "postgresql://tollgate:s3cret@db.example/tollgate";
  CHECK(scrub_message("could not connect to " + url + "\nmore", url, "s3cret") == "could not connect to [REDACTED]");
  CHECK(scrub_message("password authentication failed: s3cret s3cret", url, "s3cret") ==
        "password authentication failed: [REDACTED] [REDACTED]");
  CHECK(scrub_message("an ab in a cab", url, "ab") == "an ab in a cab");  // too short to scrub alone
}

TEST_CASE("a connection URL gets a connect_timeout unless it has one", "[persistence]") {
  CHECK(with_connect_timeout("postgresql://h/db", 5) == "postgresql://h/db?connect_timeout=5");
  CHECK(with_connect_timeout("postgresql://h/db?sslmode=require", 5) ==
        "postgresql://h/db?sslmode=require&connect_timeout=5");
  CHECK(with_connect_timeout("postgresql://h/db?connect_timeout=2", 5) == "postgresql://h/db?connect_timeout=2");
}
