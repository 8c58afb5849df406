#include <catch2/catch.hpp>

#include "http/router.h"
#include "tests/support/fake_exchange.h"

using namespace tollgate;
using tollgate::http::Method;
using tollgate::testing::FakeExchange;

namespace {

http::Handler answer(std::string text) {
  return [text](const http::ExchangePtr& ex) {
    std::string body = text;
    for (const char* p : {"id", "rest"}) {
      if (!ex->param(p).empty()) body += ":" + std::string(ex->param(p));
    }
    ex->respond(http::text_response(200, body));
  };
}

std::shared_ptr<FakeExchange> run(const http::Router& router, Method method, const std::string& target) {
  auto ex = std::make_shared<FakeExchange>(method, target);
  router.dispatch(ex);
  return ex;
}

http::Router table() {
  http::Router r;
  r.add(Method::get, "/v1/models", answer("list"));
  r.add(Method::get, "/v1/models/{id}", answer("one"));
  r.add(Method::post, "/key/{id}/regenerate", answer("regen"));
  r.add(Method::get, "/files/{rest*}", answer("file"));
  r.add(Method::post, "/v1/chat/completions", answer("chat"));
  return r;
}

}  // namespace

TEST_CASE("routing table: method × path", "[http][router]") {
  const auto router = table();
  struct Row {
    Method method;
    const char* target;
    int status;
    const char* body;
  };
  const Row rows[] = {
      {Method::get, "/v1/models", 200, "list"},
      {Method::get, "/v1/models?x=1", 200, "list"},
      {Method::get, "/v1/models/gpt-4o", 200, "one:gpt-4o"},
      {Method::post, "/key/sk-abc/regenerate", 200, "regen:sk-abc"},
      {Method::get, "/files/a/b/c.txt", 200, "file:a/b/c.txt"},
      {Method::post, "/v1/chat/completions", 200, "chat"},
      {Method::get, "/v1/chat/completions", 405, nullptr},
      {Method::post, "/v1/models/x", 405, nullptr},
      {Method::get, "/v1/models/", 404, nullptr},
      {Method::get, "/v1/models/a/b", 404, nullptr},
      {Method::get, "/files/", 404, nullptr},
      {Method::get, "/nope", 404, nullptr},
      {Method::post, "/key//regenerate", 404, nullptr},
  };
  for (const auto& row : rows) {
    INFO(http::method_name(row.method) << " " << row.target);
    const auto ex = run(router, row.method, row.target);
    REQUIRE(ex->responses() == 1);
    CHECK(ex->status() == row.status);
    if (row.body) {
      CHECK(ex->response().body == row.body);
    } else {
      CHECK_THAT(ex->response().body, Catch::StartsWith(R"({"error":{"message":)"));
    }
  }
}

TEST_CASE("HEAD falls back to the GET route", "[http][router]") {
  const auto router = table();
  CHECK(run(router, Method::head, "/v1/models")->status() == 200);
}

TEST_CASE("routes() lists the table in order", "[http][router]") {
  const auto router = table();
  const auto routes = router.routes();
  REQUIRE(routes.size() == 5);
  CHECK(routes[0].second == "/v1/models");
  CHECK(routes[3].second == "/files/{rest*}");
}
