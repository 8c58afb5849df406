// Tollgate's SigV4 signer and event stream codec against the AWS SDK for JavaScript: the
// expected values in fixtures/aws_oracle_vectors.json were computed by @smithy/signature-v4
// and @smithy/eventstream-codec (tests/e2e/oracle/aws_vectors.mjs regenerates them).
#include <catch2/catch.hpp>

#include <fstream>
#include <iomanip>
#include <sstream>

#include "providers/bedrock/event_stream.h"
#include "providers/bedrock/sigv4.h"
#include "translation_test_support.h"

using namespace tollgate;
using providers::bedrock::AwsCredentials;
using providers::bedrock::SigV4Request;

namespace {

rapidjson::Document oracle_vectors() {
  std::ifstream in(TOLLGATE_SOURCE_DIR "/tests/unit/providers/fixtures/aws_oracle_vectors.json");
  std::stringstream text;
  text << in.rdbuf();
  auto d = testing::parse_json(text.str());
  REQUIRE(d.IsObject());
  return d;
}

std::string str(const rapidjson::Value& v, const char* name) {
  const auto it = v.FindMember(name);
  return it == v.MemberEnd() ? std::string() : std::string(it->value.GetString(), it->value.GetStringLength());
}

// "2015-08-30T12:36:00Z" → a time point.
std::chrono::system_clock::time_point parse_date(const std::string& iso) {
  std::tm tm{};
  std::istringstream(iso) >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::string from_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

std::string header(const std::vector<std::pair<std::string, std::string>>& headers, const std::string& name) {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return "<none>";
}

}  // namespace

TEST_CASE("SigV4 signatures equal the AWS SDK's for the same Bedrock requests", "[providers][bedrock][sigv4]") {
  const auto vectors = oracle_vectors();
  const auto& signatures = vectors["signatures"];
  REQUIRE(signatures.Size() >= 2);
  for (const auto& v : signatures.GetArray()) {
    CAPTURE(str(v, "name"));
    const std::string host = str(v, "host"), path = str(v, "path"), body = str(v, "body"), region = str(v, "region");
    SigV4Request request{
        "POST", host,   path,     "", {{"content-type", "application/json"}, {"accept", str(v, "accept")}},
        body,   region, "bedrock"};
    const AwsCredentials credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", str(v, "sessionToken")};
    const auto headers = providers::bedrock::sigv4_headers(request, credentials, parse_date(str(v, "date")));
    CHECK(header(headers, "authorization") == str(v, "authorization"));
    CHECK(header(headers, "x-amz-date") == str(v, "amz_date"));
    if (!credentials.session_token.empty()) CHECK(header(headers, "x-amz-security-token") == credentials.session_token);
  }
}

TEST_CASE("SigV4: another body, date or secret gives another signature", "[providers][bedrock][sigv4]") {
  const auto now = parse_date("2015-08-30T12:36:00Z");
  SigV4Request request{"POST", "h", "/model/m/converse", "", {}, "{}", "us-east-1", "bedrock"};
  const AwsCredentials credentials{"AKID", "secret", ""};
  const auto base = header(providers::bedrock::sigv4_headers(request, credentials, now), "authorization");
  request.body = "{ }";
  CHECK(header(providers::bedrock::sigv4_headers(request, credentials, now), "authorization") != base);
  request.body = "{}";
  CHECK(header(providers::bedrock::sigv4_headers(request, credentials, now + std::chrono::seconds(1)),
               "authorization") != base);
  CHECK(header(providers::bedrock::sigv4_headers(request, {"AKID", "secret2", ""}, now), "authorization") != base);
  CHECK(base.find("secret") == std::string::npos);
}

TEST_CASE("SigV4 canonical request: path encoded twice, query sorted, headers trimmed and sorted",
          "[providers][bedrock][sigv4]") {
  SigV4Request request{
      "POST", " h.example ", "/model/a%3A0/converse", "b=2&a=1", {{"Content-Type", "  x   y "}}, "", "r", "s"};
  std::string signed_headers;
  const auto canonical = providers::bedrock::canonical_request(request, "20150830T123600Z", "", "HASH", signed_headers);
  CHECK(canonical ==
        "POST\n/model/a%253A0/converse\na=1&b=2\ncontent-type:x y\nhost:h.example\nx-amz-content-sha256:HASH\n"
        "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-content-sha256;x-amz-date\nHASH");
  CHECK(signed_headers == "content-type;host;x-amz-content-sha256;x-amz-date");
}

TEST_CASE("event stream frames: ours byte for byte the AWS SDK's, and the SDK's decoded by ours",
          "[providers][bedrock][eventstream]") {
  const auto vectors = oracle_vectors();
  for (const auto& f : vectors["frames"].GetArray()) {
    CAPTURE(str(f, "name"));
    const std::string bytes = from_hex(str(f, "hex"));
    // Decoded in pieces of every size: frames may arrive split anywhere.
    for (std::size_t piece : {std::size_t{1}, std::size_t{7}, bytes.size()}) {
      eventstream::Decoder decoder;
      std::vector<eventstream::Message> out;
      for (std::size_t at = 0; at < bytes.size(); at += piece) {
        REQUIRE(decoder.feed(std::string_view(bytes).substr(at, piece), out));
      }
      REQUIRE(out.size() == 1);
      CHECK(out[0].payload == str(f, "payload"));
      for (const auto& h : f["string_headers"].GetObject()) {
        CHECK(out[0].header(h.name.GetString()) == h.value.GetString());
      }
      CHECK(decoder.buffered() == 0);
    }
    if (!f["only_string_headers"].GetBool()) continue;  // our encoder writes string headers only
    eventstream::Message m;
    for (const auto& h : f["string_headers"].GetObject())
      m.headers.emplace_back(h.name.GetString(), h.value.GetString());
    m.payload = str(f, "payload");
    CHECK(eventstream::encode(m) == bytes);
  }
}

TEST_CASE("event stream: a flipped bit anywhere is refused, and nothing is decoded after it",
          "[providers][bedrock][eventstream]") {
  eventstream::Message m;
  m.headers = {{":event-type", "contentBlockDelta"}};
  m.payload = R"({"delta":{"text":"hi"}})";
  const std::string good = eventstream::encode(m);
  for (std::size_t at = 0; at < good.size(); ++at) {
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ 0x01);
    eventstream::Decoder decoder;
    std::vector<eventstream::Message> out;
    const bool ok = decoder.feed(bad + good, out);
    CAPTURE(at);
    // A flipped length byte may make the decoder wait for more bytes; it must never yield the
    // corrupt message.
    CHECK((!ok || out.empty() || out[0].payload == m.payload));
    if (!ok) {
      CHECK(out.empty());
      CHECK_FALSE(decoder.error().empty());
      CHECK_FALSE(decoder.feed(good, out));
    }
  }
  CHECK(eventstream::crc32("123456789") == 0xCBF43926u);  // the CRC-32 check value
}

TEST_CASE("event stream: a frame longer than 16 MiB is refused from its prelude", "[providers][bedrock][eventstream]") {
  std::string prelude;
  for (std::uint32_t v : {std::uint32_t{16 * 1024 * 1024 + 17}, std::uint32_t{0}}) {
    for (int shift = 24; shift >= 0; shift -= 8) prelude.push_back(static_cast<char>((v >> shift) & 0xff));
  }
  const auto crc = eventstream::crc32(prelude);
  for (int shift = 24; shift >= 0; shift -= 8) prelude.push_back(static_cast<char>((crc >> shift) & 0xff));
  eventstream::Decoder decoder;
  std::vector<eventstream::Message> out;
  CHECK_FALSE(decoder.feed(prelude, out));
  CHECK_THAT(decoder.error(), Catch::Contains("length"));
}
