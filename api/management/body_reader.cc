#include "api/management/body_reader.h"

#include <algorithm>
#include <cmath>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "api/json_body.h"
#include "api/management/http_error.h"

namespace tollgate::api {

std::string text_field(const rapidjson::Value& value, const std::string& param) {
  if (!value.IsString()) throw_bad_request("'" + param + "' must be a string", param);
  std::string text(value.GetString(), value.GetStringLength());
  throw_if_error(refuse_nul(text, param));
  return text;
}

BodyReader::BodyReader(const rapidjson::Value& body) : body_(body) {}

const rapidjson::Value* BodyReader::value(const char* name) const {
  if (!body_.IsObject()) return nullptr;
  const auto it = body_.FindMember(name);
  if (it == body_.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

const rapidjson::Value* BodyReader::raw(const char* name) const { return value(name); }

bool BodyReader::has(const char* name) const { return body_.IsObject() && body_.HasMember(name); }

bool BodyReader::is_null(const char* name) const {
  return body_.IsObject() && body_.HasMember(name) && body_[name].IsNull();
}

std::optional<std::string> BodyReader::string(const char* name) const {
  const auto* v = value(name);
  if (!v) return std::nullopt;
  return text_field(*v, name);
}

std::string BodyReader::required_string(const char* name) const {
  auto s = string(name);
  if (!s || s->empty()) throw_bad_request(std::string("'") + name + "' is required", name);
  return *s;
}

std::optional<double> BodyReader::number(const char* name, double min) const {
  const auto* v = value(name);
  if (!v) return std::nullopt;
  if (!v->IsNumber() || !std::isfinite(v->GetDouble())) {
    throw_bad_request(std::string("'") + name + "' must be a number", name);
  }
  if (v->GetDouble() < min) throw_bad_request(std::string("'") + name + "' must not be negative", name);
  return v->GetDouble();
}

std::optional<std::int64_t> BodyReader::integer(const char* name, std::int64_t min) const {
  const auto* v = value(name);
  if (!v) return std::nullopt;
  if (v->IsInt64()) {
    if (v->GetInt64() < min)
      throw_bad_request(std::string("'") + name + "' must be at least " + std::to_string(min), name);
    return v->GetInt64();
  }
  if (v->IsDouble() && std::floor(v->GetDouble()) == v->GetDouble() && std::abs(v->GetDouble()) < 9e15) {
    const auto n = static_cast<std::int64_t>(v->GetDouble());
    if (n < min) throw_bad_request(std::string("'") + name + "' must be at least " + std::to_string(min), name);
    return n;
  }
  throw_bad_request(std::string("'") + name + "' must be an integer", name);
}

std::optional<bool> BodyReader::boolean(const char* name) const {
  const auto* v = value(name);
  if (!v) return std::nullopt;
  if (!v->IsBool()) throw_bad_request(std::string("'") + name + "' must be true or false", name);
  return v->GetBool();
}

std::optional<std::vector<std::string>> BodyReader::strings(const char* name) const {
  const auto* v = value(name);
  if (!v) return std::nullopt;
  if (!v->IsArray()) throw_bad_request(std::string("'") + name + "' must be a list of strings", name);
  std::vector<std::string> out;
  for (const auto& item : v->GetArray()) {
    if (!item.IsString()) throw_bad_request(std::string("'") + name + "' must be a list of strings", name);
    out.push_back(text_field(item, name));
  }
  return out;
}

std::vector<std::string> BodyReader::required_strings(const char* name) const {
  auto list = strings(name);
  if (!list || list->empty()) throw_bad_request(std::string("'") + name + "' must list at least one id", name);
  for (const auto& item : *list) {
    if (item.empty()) throw_bad_request(std::string("'") + name + "' must not contain empty ids", name);
  }
  return *list;
}

std::optional<std::map<std::string, std::int64_t>> BodyReader::integer_map(const char* name) const {
  const auto* v = value(name);
  if (!v) return std::nullopt;
  if (!v->IsObject()) throw_bad_request(std::string("'") + name + "' must be an object of integers", name);
  std::map<std::string, std::int64_t> out;
  for (const auto& m : v->GetObject()) {
    if (!m.value.IsInt64() || m.value.GetInt64() < 0) {
      throw_bad_request(std::string("'") + name + "' must be an object of non-negative integers", name);
    }
    out[text_field(m.name, name)] = m.value.GetInt64();
  }
  return out;
}

std::optional<std::string> BodyReader::object_json(const char* name) const {
  const auto* v = value(name);
  if (!v) return std::nullopt;
  if (!v->IsObject()) throw_bad_request(std::string("'") + name + "' must be an object", name);
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  v->Accept(w);
  return std::string(buffer.GetString(), buffer.GetSize());
}

void BodyReader::reject_unknown(std::initializer_list<std::string_view> known,
                                std::initializer_list<std::string_view> ignored) const {
  reject_unlisted({known, ignored});
}

void BodyReader::reject_unlisted(std::initializer_list<std::initializer_list<std::string_view>> lists) const {
  if (!body_.IsObject()) return;
  for (const auto& m : body_.GetObject()) {
    const std::string_view name(m.name.GetString(), m.name.GetStringLength());
    const bool listed = std::any_of(lists.begin(), lists.end(), [&](const auto& list) {
      return std::find(list.begin(), list.end(), name) != list.end();
    });
    if (!listed) throw_bad_request("unknown field '" + std::string(name) + "'", std::string(name));
  }
}

}  // namespace tollgate::api
