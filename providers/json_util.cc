#include "providers/json_util.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace tollgate::providers::json {

const rapidjson::Value* member(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return nullptr;
  const auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

std::string_view string_or(const rapidjson::Value& object, const char* name, std::string_view fallback) {
  const auto* v = member(object, name);
  return v && v->IsString() ? std::string_view(v->GetString(), v->GetStringLength()) : fallback;
}

std::int64_t int_or(const rapidjson::Value& object, const char* name, std::int64_t fallback) {
  const auto* v = member(object, name);
  return v && v->IsInt64() ? v->GetInt64() : fallback;
}

std::string serialize(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

rapidjson::Value string_value(std::string_view text, rapidjson::Document::AllocatorType& alloc) {
  return rapidjson::Value(text.data(), static_cast<rapidjson::SizeType>(text.size()), alloc);
}

}  // namespace tollgate::providers::json
