#pragma once
// Small checked accessors over RapidJSON values (RapidJSON asserts on wrong types).
#include <cstdint>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

namespace tollgate::providers::json {

const rapidjson::Value* member(const rapidjson::Value& object, const char* name);
std::string_view string_or(const rapidjson::Value& object, const char* name, std::string_view fallback = {});
std::int64_t int_or(const rapidjson::Value& object, const char* name, std::int64_t fallback = 0);
std::string serialize(const rapidjson::Value& value);
rapidjson::Value string_value(std::string_view text, rapidjson::Document::AllocatorType& alloc);

}  // namespace tollgate::providers::json
