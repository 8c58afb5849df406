#include "core/json_parse.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <vector>

#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include "core/utf8.h"

namespace tollgate::core {
namespace {

using rapidjson::SizeType;

// Field paths in messages are cut here: member names are the client's and may be long.
constexpr std::size_t kMaxFieldBytes = 200;

// Cut at a character boundary, so the message stays UTF-8.
std::string cut(std::string text) {
  std::size_t end = kMaxFieldBytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  text.resize(end);
  return text + "...";
}

std::string cut_name(const std::string& name) { return name.size() > kMaxFieldBytes ? cut(name) : name; }

enum class Refusal { none, too_deep, lone_surrogate, duplicate_member };

// Objects up to this many members are checked for a repeated name as each name is read (the
// name can then be told); wider ones once they end, by sorting, so no object costs n².
constexpr std::size_t kPairwiseMembers = 32;

// RapidJSON validates raw bytes and checks that a high-surrogate escape is followed by a low
// one, but decodes a lone low-surrogate escape (\udc00) into the bytes ED B0 80, which are not
// UTF-8. Once raw bytes are validated, ED followed by A0..BF can only come from such an escape.
bool has_surrogate(const char* text, SizeType length) {
  const char* end = text + length;
  for (const char* p = text; p < end; ++p) {
    p = static_cast<const char*>(std::memchr(p, '\xED', static_cast<std::size_t>(end - p)));
    if (p == nullptr) return false;
    if (p + 1 < end && static_cast<unsigned char>(p[1]) >= 0xA0) return true;
  }
  return false;
}

// Passes SAX events on to `Sink` while enforcing the nesting limit, unique member names and, when
// validating, the surrogate rule above. Refusing is returning false: the reader stops with
// kParseErrorTermination.
//
// Unique names: the gateway reads a member with FindMember (the first of its name) while
// providers' parsers keep the last, so {"model":"cheap","model":"dear"} (or max_tokens twice)
// would be checked and priced as one request and run as another. Names are compared by a
// 64-bit hash: equal names always collide, so none is missed; two different names refused
// because their hashes collide would only refuse that one request.
template <typename Sink>
class Guard {
 public:
  Guard(Sink& sink, const JsonParseOptions& options) : sink_(sink), options_(options) {}

  bool Null() { return sink_.Null(); }
  bool Bool(bool b) { return sink_.Bool(b); }
  bool Int(int i) { return sink_.Int(i); }
  bool Uint(unsigned i) { return sink_.Uint(i); }
  bool Int64(std::int64_t i) { return sink_.Int64(i); }
  bool Uint64(std::uint64_t i) { return sink_.Uint64(i); }
  bool Double(double d) { return sink_.Double(d); }
  bool RawNumber(const char* s, SizeType n, bool copy) { return sink_.RawNumber(s, n, copy); }
  bool String(const char* s, SizeType n, bool copy) { return text_allowed(s, n) && sink_.String(s, n, copy); }
  bool Key(const char* s, SizeType n, bool copy) {
    return text_allowed(s, n) && name_unique(s, n) && sink_.Key(s, n, copy);
  }
  bool StartObject() {
    if (!enter()) return false;
    object_starts_.push_back(names_.size());
    return sink_.StartObject();
  }
  bool EndObject(SizeType members) {
    --depth_;
    return names_unique_at_end() && sink_.EndObject(members);
  }
  bool StartArray() { return enter() && sink_.StartArray(); }
  bool EndArray(SizeType elements) {
    --depth_;
    return sink_.EndArray(elements);
  }

  Refusal refusal() const { return refusal_; }
  // The name found twice, when known (objects up to kPairwiseMembers members).
  const std::string& duplicate_name() const { return duplicate_name_; }

 private:
  bool name_unique(const char* s, SizeType n) {
    const std::string_view name(s, n);
    const auto hash = std::hash<std::string_view>{}(name);
    const auto start = names_.begin() + static_cast<std::ptrdiff_t>(object_starts_.back());
    if (names_.end() - start < static_cast<std::ptrdiff_t>(kPairwiseMembers) &&
        std::find(start, names_.end(), hash) != names_.end()) {
      refusal_ = Refusal::duplicate_member;
      duplicate_name_.assign(name);
      return false;
    }
    names_.push_back(hash);
    return true;
  }
  bool names_unique_at_end() {
    const auto start = names_.begin() + static_cast<std::ptrdiff_t>(object_starts_.back());
    bool unique = true;
    if (names_.end() - start > static_cast<std::ptrdiff_t>(kPairwiseMembers)) {
      std::sort(start, names_.end());
      unique = std::adjacent_find(start, names_.end()) == names_.end();
    }
    names_.erase(start, names_.end());
    object_starts_.pop_back();
    if (!unique) refusal_ = Refusal::duplicate_member;
    return unique;
  }
  bool enter() {
    if (++depth_ <= options_.max_depth) return true;
    refusal_ = Refusal::too_deep;
    return false;
  }
  bool text_allowed(const char* s, SizeType n) {
    if (!options_.validate_utf8 || !has_surrogate(s, n)) return true;
    refusal_ = Refusal::lone_surrogate;
    return false;
  }

  Sink& sink_;
  const JsonParseOptions& options_;
  int depth_ = 0;
  Refusal refusal_ = Refusal::none;
  std::vector<std::size_t> names_;          // hashes of the names of the objects being read
  std::vector<std::size_t> object_starts_;  // where each open object's names begin in names_
  std::string duplicate_name_;
};

// Where the reader is, as "messages[1].content". Only replayed after a failure, to name the
// field: the successful parse pays nothing for it.
class PathTracker {
 public:
  bool Null() { return value_done(); }
  bool Bool(bool) { return value_done(); }
  bool Int(int) { return value_done(); }
  bool Uint(unsigned) { return value_done(); }
  bool Int64(std::int64_t) { return value_done(); }
  bool Uint64(std::uint64_t) { return value_done(); }
  bool Double(double) { return value_done(); }
  bool RawNumber(const char*, SizeType, bool) { return value_done(); }
  bool String(const char*, SizeType, bool) { return value_done(); }
  bool Key(const char* s, SizeType n, bool) {
    frames_.back().key.assign(s, n);
    frames_.back().awaiting_key = false;
    return true;
  }
  bool StartObject() {
    frames_.emplace_back().object = true;
    return true;
  }
  bool StartArray() {
    frames_.emplace_back();
    return true;
  }
  bool EndObject(SizeType) { return leave(); }
  bool EndArray(SizeType) { return leave(); }

  // True when the reader stopped inside a member name rather than a value.
  bool in_member_name() const { return !frames_.empty() && frames_.back().object && frames_.back().awaiting_key; }

  // The path of the value being read ("" at the root).
  std::string path() const {
    std::string out;
    for (const auto& frame : frames_) {
      if (frame.object) {
        if (frame.awaiting_key) break;
        if (!out.empty()) out += '.';
        out += frame.key;
      } else {
        out += '[' + std::to_string(frame.index) + ']';
      }
      if (out.size() > kMaxFieldBytes) return cut(out);
    }
    return out;
  }

  // The member of the root object being read; "" when the root is not an object.
  std::string top_member() const {
    if (frames_.empty() || !frames_[0].object || frames_[0].awaiting_key) return {};
    const auto& key = frames_[0].key;
    return cut_name(key);
  }

 private:
  struct Frame {
    bool object = false;
    std::string key;
    std::size_t index = 0;  // arrays: the element being read
    bool awaiting_key = true;
  };

  bool value_done() {
    if (frames_.empty()) return true;
    auto& frame = frames_.back();
    if (frame.object) {
      frame.awaiting_key = true;
    } else {
      ++frame.index;
    }
    return true;
  }
  bool leave() {
    frames_.pop_back();
    return value_done();
  }
  std::vector<Frame> frames_;
};

template <unsigned Flags, typename Handler>
rapidjson::ParseResult run(std::string_view text, Handler& handler) {
  rapidjson::MemoryStream stream(text.data(), text.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> input(stream);
  rapidjson::Reader reader;
  return reader.Parse<Flags | rapidjson::kParseIterativeFlag>(input, handler);
}

// The flags are template arguments: one instantiation per combination.
template <typename Handler>
rapidjson::ParseResult parse_with(std::string_view text, Handler& handler, bool validate_encoding,
                                  bool stop_when_done) {
  using namespace rapidjson;
  if (validate_encoding) {
    return stop_when_done ? run<kParseValidateEncodingFlag | kParseStopWhenDoneFlag>(text, handler)
                          : run<kParseValidateEncodingFlag>(text, handler);
  }
  return stop_when_done ? run<kParseStopWhenDoneFlag>(text, handler) : run<kParseNoFlags>(text, handler);
}

// RapidJSON validates encoding a byte at a time (it doubled the parse of a typical chat body);
// core::is_utf8 over the whole text first costs a fraction and is the same check, since outside
// strings any non-ASCII byte is a syntax error anyway. Not when text after the first value is
// ignored: that text may be anything, so the reader validates what it reads.
bool whole_text_checked(const JsonParseOptions& options) { return options.validate_utf8 && !options.stop_when_done; }

std::string location(const std::string& field, bool in_member_name) {
  if (in_member_name) return field.empty() ? " in a member name" : " in a member name of '" + field + "'";
  return field.empty() ? std::string() : " in '" + field + "'";
}

// Why `text` does not parse: replayed through the same checks (and RapidJSON's own encoding
// validation, which stops inside the string at fault), tracking the path to name the field.
JsonParseError describe(std::string_view text, const JsonParseOptions& options) {
  PathTracker tracker;
  Guard<PathTracker> guard(tracker, options);
  const auto result = parse_with(text, guard, options.validate_utf8, options.stop_when_done);

  JsonParseError error;
  error.offset = result.Offset();
  std::string problem;
  bool in_member_name = false;
  if (guard.refusal() == Refusal::too_deep) {
    problem = "JSON is nested deeper than " + std::to_string(options.max_depth) + " levels";
    error.field = tracker.top_member();  // below it the path would be mostly brackets
  } else if (guard.refusal() == Refusal::duplicate_member) {
    // The reader stopped before the repeated name (or at the end of a wide object): the path
    // is the object's.
    const auto object = tracker.path();
    const auto& name = guard.duplicate_name();
    if (name.empty()) {
      problem = "JSON object has a member name twice";
      error.field = object;
    } else {
      problem = "JSON object has the member '" + cut_name(name) + "' twice";
      error.field = object.empty() ? cut_name(name) : object + "." + cut_name(name);
    }
  } else if (guard.refusal() == Refusal::lone_surrogate ||
             result.Code() == rapidjson::kParseErrorStringUnicodeSurrogateInvalid) {
    problem = "Text has a \\u escape that is an unpaired UTF-16 surrogate";
    error.field = tracker.path();
    in_member_name = tracker.in_member_name();
  } else if (result.Code() == rapidjson::kParseErrorStringInvalidEncoding || !result.IsError()) {
    problem = "Text is not valid UTF-8";
    error.field = tracker.path();
    in_member_name = tracker.in_member_name();
  } else {
    problem = std::string("Invalid JSON: ") + rapidjson::GetParseError_En(result.Code());
  }
  error.message = problem + location(error.field, in_member_name) + " (at offset " + std::to_string(error.offset) + ")";
  return error;
}

}  // namespace

std::optional<JsonParseError> parse_json(std::string_view text, rapidjson::Document& doc,
                                         const JsonParseOptions& options) {
  if (whole_text_checked(options) && !is_utf8(text)) return describe(text, options);
  bool parsed = false;
  auto generate = [&](rapidjson::Document& handler) {
    Guard<rapidjson::Document> guard(handler, options);
    const bool validate_encoding = options.validate_utf8 && !whole_text_checked(options);
    parsed = !parse_with(text, guard, validate_encoding, options.stop_when_done).IsError();
    return parsed;
  };
  doc.Populate(generate);
  if (parsed) return std::nullopt;
  return describe(text, options);
}

}  // namespace tollgate::core
