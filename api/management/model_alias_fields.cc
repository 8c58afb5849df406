#include "api/management/model_alias_fields.h"

#include "api/management/http_error.h"

namespace tollgate::api {

std::optional<core::ModelAliases> model_aliases_field(const BodyReader& body, const char* name) {
  if (body.is_null(name)) return core::ModelAliases{};
  const auto* value = body.raw(name);
  if (value == nullptr) return std::nullopt;
  const std::string message = std::string("'") + name + "' must be an object of alias → model name strings";
  if (!value->IsObject()) throw_bad_request(message, name);
  core::ModelAliases aliases;
  for (const auto& member : value->GetObject()) {
    auto alias = text_field(member.name, name);
    auto target = text_field(member.value, name);
    if (alias.empty() || target.empty()) throw_bad_request(message, name);
    aliases[std::move(alias)] = std::move(target);
  }
  return aliases;
}

}  // namespace tollgate::api
