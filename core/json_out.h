#pragma once
// A compact JSON writer over RapidJSON for records and management responses: optional fields
// become null, lists and maps are written as JSON, stored JSON text (metadata) is embedded as
// is, timestamps (unix milliseconds) as ISO 8601 text or as the number itself.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace tollgate::core {

// Unix milliseconds → "2026-11-23T08:00:00.000Z".
std::string iso_time(std::int64_t unix_ms);

class JsonOut {
 public:
  // How time() writes a timestamp: LiteLLM's API shows ISO 8601, audit rows keep the stored number.
  enum class Times { iso8601, unix_ms };
  explicit JsonOut(Times times = Times::iso8601) : times_(times) {}

  JsonOut& begin_object() {
    w_.StartObject();
    return *this;
  }
  JsonOut& end_object() {
    w_.EndObject();
    return *this;
  }
  JsonOut& begin_array() {
    w_.StartArray();
    return *this;
  }
  JsonOut& end_array() {
    w_.EndArray();
    return *this;
  }
  JsonOut& key(std::string_view name);

  JsonOut& value(std::string_view s);
  JsonOut& value(const char* s) { return value(std::string_view(s)); }
  JsonOut& value(const std::string& s) { return value(std::string_view(s)); }
  JsonOut& value(const std::optional<std::string>& s);
  JsonOut& value(double d);
  JsonOut& value(const std::optional<double>& d);
  JsonOut& value(std::int64_t n);
  JsonOut& value(int n) { return value(static_cast<std::int64_t>(n)); }
  JsonOut& value(const std::optional<std::int64_t>& n);
  JsonOut& value(bool b);
  JsonOut& value(const std::vector<std::string>& list);
  JsonOut& value(const std::map<std::string, std::int64_t>& map);
  JsonOut& value(const std::map<std::string, std::string, std::less<>>& map);
  JsonOut& null();
  JsonOut& raw_json(std::string_view json);  // must be valid JSON
  JsonOut& time(std::int64_t unix_ms);
  JsonOut& time(const std::optional<std::int64_t>& unix_ms);

  template <class T>
  JsonOut& field(std::string_view name, const T& v) {
    key(name);
    return value(v);
  }
  JsonOut& time_field(std::string_view name, const std::optional<std::int64_t>& unix_ms) {
    key(name);
    return time(unix_ms);
  }

  std::string str() const { return {buffer_.GetString(), buffer_.GetSize()}; }

 private:
  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> w_{buffer_};
  Times times_;
};

}  // namespace tollgate::core
