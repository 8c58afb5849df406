#pragma once
// Small checked accessors over RapidJSON values (RapidJSON asserts on wrong types, and in a
// release build a failed assert is undefined behaviour), plus output helpers.
#include <cstdint>
#include <string>
#include <string_view>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace tollgate::providers::json {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// nullptr when `object` is not an object or has no such member.
const rapidjson::Value* member(const rapidjson::Value& object, const char* name);
std::string_view string_or(const rapidjson::Value& object, const char* name, std::string_view fallback = {});
std::int64_t int_or(const rapidjson::Value& object, const char* name, std::int64_t fallback = 0);
bool bool_or(const rapidjson::Value& object, const char* name, bool fallback = false);
// A member that is present and not null (JSON clients send `"field": null` for "not set").
const rapidjson::Value* present(const rapidjson::Value& object, const char* name);

// Parses `text` into `out`; false when it is not valid JSON. Through core::parse_json: no
// recursion, at most core::kDefaultMaxJsonDepth levels (an upstream's reply, or JSON a client
// sent inside a string, cannot exhaust the stack), bytes passed through as they are.
bool parse(std::string_view text, rapidjson::Document& out);
// The same for the first JSON value of `text`; what follows it is ignored.
bool parse_leading(std::string_view text, rapidjson::Document& out);
std::string serialize(const rapidjson::Value& value);
rapidjson::Value string_value(std::string_view text, rapidjson::Document::AllocatorType& alloc);

void write_string(Writer& w, std::string_view text);
std::string_view written(const rapidjson::StringBuffer& buffer);

}  // namespace tollgate::providers::json
