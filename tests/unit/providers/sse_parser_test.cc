#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "providers/sse_parser.h"

using tollgate::providers::SseEvent;
using tollgate::providers::SseParser;

namespace {

struct Row {
  const char* name;
  std::string input;
  std::vector<SseEvent> expected;  // after feed + finish
};

std::vector<SseEvent> parse_pieces(const std::string& input, const std::vector<std::size_t>& cuts) {
  SseParser parser;
  std::vector<SseEvent> out;
  std::size_t start = 0;
  for (std::size_t cut : cuts) {
    parser.feed(std::string_view(input).substr(start, cut - start), out);
    start = cut;
  }
  parser.feed(std::string_view(input).substr(start), out);
  parser.finish(out);
  return out;
}

bool same(const std::vector<SseEvent>& a, const std::vector<SseEvent>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].event != b[i].event || a[i].data != b[i].data || a[i].id != b[i].id) return false;
  }
  return true;
}

std::string describe(const std::vector<SseEvent>& events) {
  std::string out;
  for (const auto& e : events) out += "{event=" + e.event + " data=" + e.data + " id=" + e.id + "} ";
  return out;
}

const std::vector<Row>& rows() {
  static const std::vector<Row> table = {
      {"event and data", "event: message_start\ndata: {\"a\":1}\n\n", {{"message_start", "{\"a\":1}"}}},
      {"data only", "data: hello\n\n", {{"", "hello"}}},
      {"two events", "data: one\n\ndata: two\n\n", {{"", "one"}, {"", "two"}}},
      {"multiple data lines join with \\n", "data: a\ndata: b\ndata:\ndata: c\n\n", {{"", "a\nb\n\nc"}}},
      {"comments are ignored", ": keep-alive\n:\ndata: x\n: between\n\n", {{"", "x"}}},
      {"a comment alone dispatches nothing", ": ping\n\n", {}},
      {"CRLF line endings", "event: e\r\ndata: x\r\n\r\n", {{"e", "x"}}},
      {"CR line endings", "event: e\rdata: x\r\r", {{"e", "x"}}},
      {"mixed line endings", "data: a\r\ndata: b\rdata: c\n\r\n", {{"", "a\nb\nc"}}},
      {"only one leading space is stripped", "data:  two spaces\n\n", {{"", " two spaces"}}},
      {"no space after the colon", "data:tight\nevent:e\n\n", {{"e", "tight"}}},
      {"colons inside the value are kept", "data: a:b: c\n\n", {{"", "a:b: c"}}},
      {"a field name alone has an empty value", "data\n\n", {{"", ""}}},
      {"an empty data field dispatches an empty event", "data:\n\n", {{"", ""}}},
      {"an event without data is not dispatched", "event: lonely\n\ndata: x\n\n", {{"", "x"}}},
      {"the event type resets after each event", "event: a\ndata: 1\n\ndata: 2\n\n", {{"a", "1"}, {"", "2"}}},
      {"ids persist across events",
       "id: 7\ndata: a\n\ndata: b\n\nid\ndata: c\n\n",
       {{"", "a", "7"}, {"", "b", "7"}, {"", "c", ""}}},
      {"retry and unknown fields are not data", "retry: 3000\nfoo: bar\ndata: x\n\n", {{"", "x"}}},
      {"a leading byte order mark is stripped",
       "\xEF\xBB\xBF"
       "data: bom\n\n",
       {{"", "bom"}}},
      {"a byte order mark later is data", "data: \xEF\xBB\xBFx\n\n", {{"", "\xEF\xBB\xBFx"}}},
      {"UTF-8 passes through byte for byte",
       "data: h\xC3\xA9llo \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80\n\n",
       {{"", "h\xC3\xA9llo \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80"}}},
      {"finish flushes an event without its blank line", "event: last\ndata: tail\n", {{"last", "tail"}}},
      {"finish flushes an unterminated last line", "data: a\ndata: partial", {{"", "a\npartial"}}},
      {"blank lines between events are harmless", "\n\n\r\ndata: x\n\n\n\n", {{"", "x"}}},
      {"OpenAI style stream", "data: {\"x\":1}\n\ndata: [DONE]\n\n", {{"", "{\"x\":1}"}, {"", "[DONE]"}}},
      {"empty input", "", {}},
  };
  return table;
}

}  // namespace

TEST_CASE("SSE parser: whole input", "[providers][sse]") {
  for (const auto& row : rows()) {
    INFO(row.name);
    const auto events = parse_pieces(row.input, {});
    INFO("got " << describe(events));
    CHECK(same(events, row.expected));
  }
}

TEST_CASE("SSE parser: input cut at every offset gives the same events", "[providers][sse]") {
  for (const auto& row : rows()) {
    INFO(row.name);
    for (std::size_t cut = 0; cut <= row.input.size(); ++cut) {
      INFO("cut at " << cut);
      CHECK(same(parse_pieces(row.input, {cut}), row.expected));
    }
  }
}

TEST_CASE("SSE parser: input cut at every pair of offsets gives the same events", "[providers][sse]") {
  for (const auto& row : rows()) {
    INFO(row.name);
    bool all_same = true;
    for (std::size_t i = 0; i <= row.input.size(); ++i) {
      for (std::size_t j = i; j <= row.input.size(); ++j) {
        if (!same(parse_pieces(row.input, {i, j}), row.expected)) {
          all_same = false;
          FAIL_CHECK("cut at " << i << " and " << j);
        }
      }
    }
    CHECK(all_same);
  }
}

TEST_CASE("SSE parser: one byte at a time", "[providers][sse]") {
  for (const auto& row : rows()) {
    INFO(row.name);
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < row.input.size(); ++i) cuts.push_back(i);
    CHECK(same(parse_pieces(row.input, cuts), row.expected));
  }
}

TEST_CASE("SSE parser: events come out as soon as their blank line arrives", "[providers][sse]") {
  SseParser parser;
  std::vector<SseEvent> out;
  parser.feed("event: a\ndata: 1\n", out);
  CHECK(out.empty());
  CHECK(parser.buffered() > 0);
  parser.feed("\n", out);
  REQUIRE(out.size() == 1);
  CHECK(out[0].event == "a");
  CHECK(parser.buffered() == 0);
  // A "\r" at the end of a chunk ends the line now; the "\n" that follows is not another line.
  parser.feed("data: 2\r", out);
  parser.feed("\n\r", out);
  REQUIRE(out.size() == 2);
  CHECK(out[1].data == "2");
  parser.feed("\n", out);  // completes "\r\n": no empty event, no duplicate
  parser.finish(out);
  CHECK(out.size() == 2);
}

TEST_CASE("SSE parser: buffered() counts an unfinished line and event", "[providers][sse]") {
  SseParser parser;
  std::vector<SseEvent> out;
  parser.feed("data: abc", out);
  CHECK(parser.buffered() == 9);
  parser.feed("\n", out);
  CHECK(parser.buffered() == 3);  // "abc" waits for its blank line
  parser.feed("\n", out);
  CHECK(parser.buffered() == 0);
  CHECK(out.size() == 1);
}

TEST_CASE("SSE parser: retry fields make no events", "[providers][sse]") {
  for (const char* input : {"retry: 1500\n\n", "retry: 15x\n\n", "retry:\n\n", "retry: 99999999999999999999999\n\n",
                            "retry: 10\n\nretry: nope\n\n"}) {
    INFO(input);
    SseParser parser;
    std::vector<SseEvent> out;
    parser.feed(input, out);
    CHECK(out.empty());
  }
}

TEST_CASE("SSE parser: an id containing NUL is ignored", "[providers][sse]") {
  SseParser parser;
  std::vector<SseEvent> out;
  parser.feed(std::string("id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n", 32), out);
  REQUIRE(out.size() == 2);
  CHECK(out[0].id == "1");
  CHECK(out[1].id == "1");
}
