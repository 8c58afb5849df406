#include "persistence/model_entry.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <stdexcept>

namespace tollgate::persistence {
namespace {

rapidjson::Document parse_object(std::string_view json) {
  rapidjson::Document document;
  document.Parse(json.data(), json.size());
  if (document.HasParseError() || !document.IsObject()) throw std::invalid_argument("model entry: not a JSON object");
  return document;
}

std::string text(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

void set_string(rapidjson::Document& document, const char* name, const std::string& value) {
  auto& allocator = document.GetAllocator();
  document.RemoveMember(name);
  document.AddMember(rapidjson::Value(name, allocator), rapidjson::Value(value.c_str(), allocator), allocator);
}

}  // namespace

SplitParams take_api_key(std::string_view params_json) {
  auto params = parse_object(params_json);
  SplitParams split;
  if (const auto it = params.FindMember("api_key"); it != params.MemberEnd()) {
    if (it->value.IsString()) split.api_key = std::string(it->value.GetString(), it->value.GetStringLength());
    params.RemoveMember(it);
  }
  split.params_json = text(params);
  return split;
}

std::string model_entry_json(const std::string& model_name, std::string_view params_json, std::string_view info_json,
                             const std::optional<std::string>& api_key) {
  rapidjson::Document entry(rapidjson::kObjectType);
  auto& allocator = entry.GetAllocator();
  auto params = parse_object(params_json);
  if (api_key) set_string(params, "api_key", *api_key);
  auto info = parse_object(info_json);
  entry.AddMember("model_name", rapidjson::Value(model_name.c_str(), allocator), allocator);
  entry.AddMember("litellm_params", rapidjson::Value(params, allocator), allocator);
  entry.AddMember("model_info", rapidjson::Value(info, allocator), allocator);
  return text(entry);
}

std::string merge_json_objects(std::string_view base_json, std::string_view patch_json) {
  auto base = parse_object(base_json);
  const auto patch = parse_object(patch_json);
  auto& allocator = base.GetAllocator();
  for (const auto& member : patch.GetObject()) {
    base.RemoveMember(member.name);
    if (member.value.IsNull()) continue;
    base.AddMember(rapidjson::Value(member.name, allocator), rapidjson::Value(member.value, allocator), allocator);
  }
  return text(base);
}

std::string with_model_id(std::string_view info_json, const std::string& id) {
  auto info = parse_object(info_json);
  set_string(info, "id", id);
  return text(info);
}

}  // namespace tollgate::persistence
