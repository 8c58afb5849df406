#include "providers/json_util.h"

#include "core/json_parse.h"

namespace tollgate::providers::json {
namespace {

// A default string_view has a null data(); RapidJSON asserts on null strings even when empty.
const char* non_null(std::string_view text) { return text.data() ? text.data() : ""; }

}  // namespace

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

bool bool_or(const rapidjson::Value& object, const char* name, bool fallback) {
  const auto* v = member(object, name);
  return v && v->IsBool() ? v->GetBool() : fallback;
}

const rapidjson::Value* present(const rapidjson::Value& object, const char* name) {
  const auto* v = member(object, name);
  return v && !v->IsNull() ? v : nullptr;
}

bool parse(std::string_view text, rapidjson::Document& out) {
  return !core::parse_json(text, out, {core::kDefaultMaxJsonDepth, false, false});
}

bool parse_leading(std::string_view text, rapidjson::Document& out) {
  return !core::parse_json(text, out, {core::kDefaultMaxJsonDepth, false, true});
}

std::string serialize(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  value.Accept(writer);
  return std::string(written(buffer));
}

rapidjson::Value string_value(std::string_view text, rapidjson::Document::AllocatorType& alloc) {
  return rapidjson::Value(non_null(text), static_cast<rapidjson::SizeType>(text.size()), alloc);
}

void write_string(Writer& w, std::string_view text) {
  w.String(non_null(text), static_cast<rapidjson::SizeType>(text.size()));
}

std::string_view written(const rapidjson::StringBuffer& buffer) { return {buffer.GetString(), buffer.GetSize()}; }

}  // namespace tollgate::providers::json
