#include "persistence/json_columns.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "persistence/errors.h"

namespace tollgate::persistence {
namespace {

rapidjson::Document parse(std::string_view json) {
  rapidjson::Document document;
  document.Parse(json.data(), json.size());
  return document;
}

}  // namespace

std::string string_list_to_json(const std::vector<std::string>& values) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartArray();
  for (const auto& value : values) writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  writer.EndArray();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::vector<std::string> string_list_from_json(std::string_view json) {
  std::vector<std::string> values;
  const auto document = parse(json);
  if (document.HasParseError() || !document.IsArray()) return values;
  for (const auto& item : document.GetArray()) {
    if (item.IsString()) values.emplace_back(item.GetString(), item.GetStringLength());
  }
  return values;
}

std::string int_map_to_json(const std::map<std::string, std::int64_t>& values) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  for (const auto& [name, value] : values) {
    writer.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    writer.Int64(value);
  }
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::map<std::string, std::int64_t> int_map_from_json(std::string_view json) {
  std::map<std::string, std::int64_t> values;
  const auto document = parse(json);
  if (document.HasParseError() || !document.IsObject()) return values;
  for (const auto& member : document.GetObject()) {
    if (member.value.IsInt64()) {
      values[std::string(member.name.GetString(), member.name.GetStringLength())] = member.value.GetInt64();
    }
  }
  return values;
}

std::string checked_json_object(const std::string& json, const char* field) {
  if (json.empty()) return "{}";
  const auto document = parse(json);
  if (document.HasParseError() || !document.IsObject()) {
    throw StoreError(std::string(field) + " must be a JSON object");
  }
  return json;
}

}  // namespace tollgate::persistence
