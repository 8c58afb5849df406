#include "core/json_out.h"

#include <cstdio>
#include <ctime>

namespace tollgate::core {

std::string iso_time(std::int64_t unix_ms) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(unix_ms % 1000));
  return buffer;
}

JsonOut& JsonOut::key(std::string_view name) {
  w_.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
  return *this;
}

JsonOut& JsonOut::value(std::string_view s) {
  w_.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return *this;
}

JsonOut& JsonOut::value(const std::optional<std::string>& s) { return s ? value(*s) : null(); }
JsonOut& JsonOut::value(double d) {
  w_.Double(d);
  return *this;
}
JsonOut& JsonOut::value(const std::optional<double>& d) { return d ? value(*d) : null(); }
JsonOut& JsonOut::value(std::int64_t n) {
  w_.Int64(n);
  return *this;
}
JsonOut& JsonOut::value(const std::optional<std::int64_t>& n) { return n ? value(*n) : null(); }
JsonOut& JsonOut::value(bool b) {
  w_.Bool(b);
  return *this;
}

JsonOut& JsonOut::value(const std::vector<std::string>& list) {
  w_.StartArray();
  for (const auto& s : list) value(s);
  w_.EndArray();
  return *this;
}

JsonOut& JsonOut::value(const std::map<std::string, std::int64_t>& map) {
  w_.StartObject();
  for (const auto& [k, v] : map) {
    key(k);
    w_.Int64(v);
  }
  w_.EndObject();
  return *this;
}

JsonOut& JsonOut::value(const std::map<std::string, std::string, std::less<>>& map) {
  w_.StartObject();
  for (const auto& [k, v] : map) {
    key(k);
    value(v);
  }
  w_.EndObject();
  return *this;
}

JsonOut& JsonOut::null() {
  w_.Null();
  return *this;
}

JsonOut& JsonOut::raw_json(std::string_view json) {
  w_.RawValue(json.data(), json.size(), rapidjson::kObjectType);
  return *this;
}

JsonOut& JsonOut::time(std::int64_t unix_ms) {
  return times_ == Times::iso8601 ? value(iso_time(unix_ms)) : value(unix_ms);
}
JsonOut& JsonOut::time(const std::optional<std::int64_t>& unix_ms) { return unix_ms ? time(*unix_ms) : null(); }

}  // namespace tollgate::core
