#pragma once
// multipart/form-data (RFC 7578) as /v1/audio/transcriptions receives it: the boundary from
// the Content-Type, each part's name, filename, headers and bytes, and the body written back
// with one field's value replaced (the deployment's model name). Pure, bounded, never
// recursive; the parts are views into the body, which must outlive them.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tollgate::core {

struct FormPart {
  std::string name;                     // Content-Disposition's name
  std::optional<std::string> filename;  // set for file fields
  std::string_view headers;             // the part's raw header lines (without the blank line)
  std::string_view value;               // the part's bytes
};

struct FormData {
  std::string boundary;
  std::vector<FormPart> parts;
  const FormPart* find(std::string_view name) const;
};

inline constexpr std::size_t kMaxFormParts = 100;
inline constexpr std::size_t kMaxFormPartHeaderBytes = 8 * 1024;

// The form, or a 400 naming the problem (not multipart/form-data, no boundary, a part
// without a name, framing that does not close, more than kMaxFormParts parts).
Result<FormData> parse_form_data(std::string_view content_type, std::string_view body);

// The form's bytes with the value of every part named `name` replaced by `value`.
std::string write_form_data(const FormData& form, std::string_view name, std::string_view value);

}  // namespace tollgate::core
