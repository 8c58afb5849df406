// multipart/form-data as /v1/audio/transcriptions receives it (core/multipart): the input's
// first line is the Content-Type, the rest the body. A form the parser accepts, written back
// with its model replaced, must parse again into the same parts with the new model.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/multipart.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tollgate;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  const auto content_type = input.substr(0, newline);
  const auto body = input.substr(newline + 1);
  auto form = core::parse_form_data(content_type, body);
  if (!form) return 0;
  for (const auto& part : form->parts) (void)form->find(part.name);
  const auto written = core::write_form_data(*form, "model", "deployment-model");
  auto again = core::parse_form_data(content_type, written);
  if (!again || again->parts.size() != form->parts.size()) std::abort();
  for (std::size_t i = 0; i < form->parts.size(); ++i) {
    if (again->parts[i].name != form->parts[i].name) std::abort();
    if (form->parts[i].name == "model" && again->parts[i].value != "deployment-model") std::abort();
    if (form->parts[i].name != "model" && again->parts[i].value != form->parts[i].value) std::abort();
  }
  return 0;
}
