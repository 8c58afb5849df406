// multipart/form-data parsing and rewriting (core/multipart.h), including hostile framing.
#include <catch2/catch.hpp>

#include "core/multipart.h"

using namespace tollgate::core;

namespace {

constexpr const char* kType = "multipart/form-data; boundary=XyZ";

std::string part(const std::string& headers, const std::string& value) {
  return "--XyZ\r\n" + headers + "\r\n\r\n" + value + "\r\n";
}

const std::string kForm = part("Content-Disposition: form-data; name=\"model\"", "ear") +
                          part(
                              "content-disposition: form-data; name=\"file\"; filename=\"a b.wav\"\r\n"
                              "Content-Type: audio/wav",
                              std::string("RIFF\r\n--Xy\0Z", 12)) +
                          "--XyZ--\r\n";

}  // namespace

TEST_CASE("a form's fields and files are read, binary bytes included", "[core][multipart]") {
  const auto form = parse_form_data(kType, kForm);
  REQUIRE(form);
  REQUIRE(form->parts.size() == 2);
  CHECK(form->boundary == "XyZ");
  CHECK(form->find("model")->value == "ear");
  CHECK_FALSE(form->find("model")->filename);
  CHECK(*form->find("file")->filename == "a b.wav");
  CHECK(form->find("file")->value == std::string_view("RIFF\r\n--Xy\0Z", 12));
  CHECK(form->find("language") == nullptr);
}

TEST_CASE("a form is written back with one field replaced and everything else byte for byte", "[core][multipart]") {
  const auto form = parse_form_data(kType, kForm);
  REQUIRE(form);
  CHECK(write_form_data(*form, "absent", "x") == kForm);
  const auto rewritten = write_form_data(*form, "model", "whisper-1");
  const auto again = parse_form_data(kType, rewritten);
  REQUIRE(again);
  CHECK(again->find("model")->value == "whisper-1");
  CHECK(again->find("file")->value == form->find("file")->value);
}

TEST_CASE("boundaries: quoted, case-insensitive names, a preamble", "[core][multipart]") {
  const auto quoted = parse_form_data("Multipart/Form-Data; charset=utf-8; BOUNDARY=\"XyZ\"", "preamble\r\n" + kForm);
  REQUIRE(quoted);
  CHECK(quoted->parts.size() == 2);
}

TEST_CASE("malformed forms are 400s, never crashes", "[core][multipart]") {
  struct Row {
    std::string content_type;
    std::string body;
    const char* problem;
  };
  const std::string long_boundary(71, 'b');
  const Row rows[] = {
      {"application/json", kForm, "must be multipart/form-data"},
      {"multipart/form-data", kForm, "no boundary"},
      {"multipart/form-data; boundary=", kForm, "no boundary"},
      {"multipart/form-data; boundary=" + long_boundary, kForm, "no boundary"},
      {"multipart/form-data; boundary=\"XyZ", kForm, "no boundary"},
      {kType, "", "no part starts"},
      {kType, "--XyZ", "not followed by a line end"},
      {kType, "--XyZ\r\nContent-Disposition: form-data; name=\"a\"", "headers do not end"},
      {kType, "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue", "not closed"},
      {kType, part("Content-Type: text/plain", "v") + "--XyZ--", "no Content-Disposition name"},
      {kType, part("Content-Disposition: form-data; name=\"\"", "v") + "--XyZ--", "no Content-Disposition name"},
      {kType, "--XyZ\r\n" + std::string(9000, 'h') + "\r\n\r\nv\r\n--XyZ--", "headers do not end"},
  };
  for (const auto& row : rows) {
    INFO(row.content_type << " | " << row.body.substr(0, 80));
    const auto form = parse_form_data(row.content_type, row.body);
    REQUIRE_FALSE(form);
    CHECK(form.error().status == 400);
    CHECK_THAT(form.error().message, Catch::Contains(row.problem));
  }
  std::string many;
  for (std::size_t i = 0; i <= kMaxFormParts; ++i) many += part("Content-Disposition: form-data; name=\"f\"", "v");
  const auto too_many = parse_form_data(kType, many + "--XyZ--");
  REQUIRE_FALSE(too_many);
  CHECK_THAT(too_many.error().message, Catch::Contains("more than 100 parts"));
}
