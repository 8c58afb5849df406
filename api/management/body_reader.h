#pragma once
// Typed access to a management request's JSON fields. A field of the wrong type is a 400
// naming the field; a field nobody knows is a 400 too (a typo like "max_budgt" must not be
// silently ignored), while LiteLLM fields Tollgate accepts but does not use are listed as
// ignored and pass. Every string read here is refused with a 400 when it holds a NUL (see
// refuse_nul in api/json_body.h); the body itself was checked for UTF-8 and depth when parsed.
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

namespace tollgate::api {

// The string `value` as text, for the field `param`: 400 when it is not a string or holds a NUL.
std::string text_field(const rapidjson::Value& value, const std::string& param);

class BodyReader {
 public:
  explicit BodyReader(const rapidjson::Value& body);

  bool has(const char* name) const;
  // null counts as absent for optional fields, except where "clear this" matters: see is_null.
  bool is_null(const char* name) const;

  std::optional<std::string> string(const char* name) const;
  std::string required_string(const char* name) const;
  std::optional<double> number(const char* name, double min = 0) const;
  std::optional<std::int64_t> integer(const char* name, std::int64_t min = 0) const;
  std::optional<bool> boolean(const char* name) const;
  std::optional<std::vector<std::string>> strings(const char* name) const;
  // A non-empty list of non-empty strings (the ids of a batch delete, for instance).
  std::vector<std::string> required_strings(const char* name) const;
  std::optional<std::map<std::string, std::int64_t>> integer_map(const char* name) const;
  // A JSON object, re-serialized.
  std::optional<std::string> object_json(const char* name) const;
  const rapidjson::Value* raw(const char* name) const;

  // 400 for any field outside `known` ∪ `ignored`.
  void reject_unknown(std::initializer_list<std::string_view> known,
                      std::initializer_list<std::string_view> ignored = {}) const;
  // 400 for any field in none of `lists`.
  void reject_unlisted(std::initializer_list<std::initializer_list<std::string_view>> lists) const;

 private:
  const rapidjson::Value* value(const char* name) const;
  const rapidjson::Value& body_;
};

}  // namespace tollgate::api
