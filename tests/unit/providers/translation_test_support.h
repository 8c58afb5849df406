#pragma once
// Helpers for the translation tests: JSON compared structurally (member order and number
// spelling do not matter), and SSE output split strictly into its events.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <catch2/catch.hpp>

#include "providers/sse_parser.h"

namespace tollgate::testing {

inline rapidjson::Document parse_json(std::string_view text) {
  rapidjson::Document d;
  d.Parse(text.data(), text.size());
  return d;
}

// `text` re-written without insignificant whitespace (SSE data must be one line), or `text`
// itself when it is not JSON.
inline std::string minify(std::string text) {
  const auto d = parse_json(text);
  if (d.HasParseError()) return text;
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  d.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

inline bool json_equal(std::string_view actual, std::string_view expected) {
  const auto a = parse_json(actual);
  const auto e = parse_json(expected);
  if (a.HasParseError() || e.HasParseError()) return false;
  return static_cast<const rapidjson::Value&>(a) == static_cast<const rapidjson::Value&>(e);
}

class EqualsJsonMatcher : public Catch::MatcherBase<std::string> {
 public:
  explicit EqualsJsonMatcher(std::string expected) : expected_(std::move(expected)) {}
  bool match(const std::string& actual) const override { return json_equal(actual, expected_); }
  std::string describe() const override { return "equals (as JSON) " + expected_; }

 private:
  std::string expected_;
};

inline EqualsJsonMatcher EqualsJson(std::string expected) { return EqualsJsonMatcher(std::move(expected)); }

// One event of translated stream output.
struct OutEvent {
  std::string event;  // "" for OpenAI's data-only events
  std::string data;
};

// Splits stream output that must be exactly a run of "[event: <name>\n]data: <one line>\n\n"
// blocks; anything else fails the test.
inline std::vector<OutEvent> split_output(std::string_view out) {
  std::vector<OutEvent> events;
  while (!out.empty()) {
    const auto end = out.find("\n\n");
    REQUIRE(end != std::string_view::npos);
    std::string_view block = out.substr(0, end);
    out.remove_prefix(end + 2);
    OutEvent e;
    if (block.substr(0, 7) == "event: ") {
      const auto newline = block.find('\n');
      REQUIRE(newline != std::string_view::npos);
      e.event = std::string(block.substr(7, newline - 7));
      block.remove_prefix(newline + 1);
    }
    REQUIRE(block.substr(0, 6) == "data: ");
    block.remove_prefix(6);
    REQUIRE(block.find('\n') == std::string_view::npos);
    e.data = std::string(block);
    events.push_back(std::move(e));
  }
  return events;
}

// Every chunk/event of `actual` matches `expected` (JSON structurally, "[DONE]" exactly).
inline void check_events(const std::string& actual, const std::vector<OutEvent>& expected) {
  const auto events = split_output(actual);
  INFO("stream output:\n" << actual);
  REQUIRE(events.size() == expected.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    INFO("event #" << i);
    CHECK(events[i].event == expected[i].event);
    if (expected[i].data == "[DONE]") {
      CHECK(events[i].data == "[DONE]");
    } else {
      CHECK_THAT(events[i].data, EqualsJson(expected[i].data));
    }
  }
}

// An SSE event as Anthropic sends it: the type both in `event:` and in the data, one line.
inline providers::SseEvent anthropic_event(std::string type, std::string data) {
  return providers::SseEvent{std::move(type), minify(std::move(data))};
}

// The raw bytes of a stream of events ("event: x\ndata: y\n\n" each, event line when named).
inline std::string raw_stream(const std::vector<providers::SseEvent>& events, std::string_view newline = "\n") {
  std::string raw;
  for (const auto& e : events) {
    if (!e.event.empty()) {
      raw += "event: ";
      raw += e.event;
      raw += newline;
    }
    REQUIRE(e.data.find_first_of("\r\n") == std::string::npos);
    raw += "data: ";
    raw += e.data;
    raw += newline;
    raw += newline;
  }
  return raw;
}

// Feeds `raw` to a fresh parser in pieces cut at `cuts` (ascending offsets) and hands every
// event to `translate`, which returns output bytes; returns all output.
template <typename Translate>
std::string translate_pieces(std::string_view raw, const std::vector<std::size_t>& cuts, Translate translate) {
  providers::SseParser parser;
  std::vector<providers::SseEvent> events;
  std::string out;
  std::size_t start = 0;
  auto flush = [&] {
    for (const auto& e : events) out += translate(e);
    events.clear();
  };
  for (std::size_t cut : cuts) {
    parser.feed(raw.substr(start, cut - start), events);
    flush();
    start = cut;
  }
  parser.feed(raw.substr(start), events);
  flush();
  parser.finish(events);
  flush();
  return out;
}

}  // namespace tollgate::testing
