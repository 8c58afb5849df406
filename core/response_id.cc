#include "core/response_id.h"

#include <algorithm>

#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

namespace tollgate::core {
namespace {

// SAX handler: tracks the member names of the first two levels and stops the parse (by
// returning false) at the id.
class IdFinder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, IdFinder> {
 public:
  bool StartObject() {
    ++depth_;
    if (depth_ == 2) in_wrapper_ = outer_key_ == "message" || outer_key_ == "response";
    return true;
  }
  bool EndObject(rapidjson::SizeType) {
    if (depth_ == 2) in_wrapper_ = false;
    --depth_;
    return true;
  }
  bool StartArray() {
    ++depth_;
    return true;
  }
  bool EndArray(rapidjson::SizeType) {
    --depth_;
    return true;
  }
  bool Key(const char* text, rapidjson::SizeType length, bool) {
    if (depth_ == 1) outer_key_.assign(text, length);
    if (depth_ == 2) inner_key_.assign(text, length);
    return true;
  }
  bool String(const char* text, rapidjson::SizeType length, bool) {
    const bool top_level_id = depth_ == 1 && outer_key_ == "id";
    const bool wrapped_id = depth_ == 2 && in_wrapper_ && inner_key_ == "id";
    if (!top_level_id && !wrapped_id) return true;
    if (length <= kMaxResponseIdBytes) id_.assign(text, length);
    return false;  // found: stop reading
  }
  bool Default() { return true; }

  std::string take_id() { return std::move(id_); }

 private:
  int depth_ = 0;
  bool in_wrapper_ = false;  // inside the top-level "message" or "response" object
  std::string outer_key_;
  std::string inner_key_;
  std::string id_;
};

}  // namespace

std::string response_id_of_json(std::string_view json) {
  rapidjson::MemoryStream stream(json.data(), json.size());
  rapidjson::Reader reader;
  IdFinder finder;
  constexpr unsigned kFlags =
      rapidjson::kParseIterativeFlag | rapidjson::kParseStopWhenDoneFlag | rapidjson::kParseValidateEncodingFlag;
  reader.Parse<kFlags>(stream, finder);
  return finder.take_id();
}

std::string response_id_of_sse(std::string_view sse) {
  for (std::size_t at = 0; at < sse.size();) {
    const auto end = std::min(sse.find('\n', at), sse.size());
    auto line = sse.substr(at, end - at);
    at = end + 1;
    if (line.substr(0, 5) != "data:") continue;
    line.remove_prefix(5);
    return response_id_of_json(line);
  }
  return {};
}

}  // namespace tollgate::core
