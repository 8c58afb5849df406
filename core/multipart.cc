#include "core/multipart.h"

#include <algorithm>

#include "core/api_error.h"
#include "core/ascii_case.h"

namespace tollgate::core {
namespace {

constexpr std::string_view kCrlf = "\r\n";

std::string_view trim_front(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

std::string_view trim(std::string_view s) {
  s = trim_front(s);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A `; key=value` parameter of a header value (quoted or not), matched case-insensitively.
std::optional<std::string> parameter(std::string_view header_value, std::string_view key) {
  std::size_t at = header_value.find(';');
  while (at != std::string_view::npos) {
    auto rest = header_value.substr(at + 1);
    const auto eq = rest.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    const auto name = trim(rest.substr(0, eq));
    rest = trim_front(rest.substr(eq + 1));  // still a suffix of header_value
    std::string value;
    std::size_t consumed = 0;
    if (!rest.empty() && rest.front() == '"') {
      std::size_t i = 1;
      for (; i < rest.size() && rest[i] != '"'; ++i) {
        if (rest[i] == '\\' && i + 1 < rest.size()) ++i;
        value += rest[i];
      }
      if (i >= rest.size()) return std::nullopt;  // unterminated quote
      consumed = i + 1;
    } else {
      consumed = std::min(rest.find(';'), rest.size());
      value = std::string(trim(rest.substr(0, consumed)));
    }
    if (ascii_iequals(name, key)) return value;
    const auto next = rest.find(';', consumed);
    if (next == std::string_view::npos) return std::nullopt;
    at = header_value.size() - rest.size() + next;
  }
  return std::nullopt;
}

// The value of header `name` in a part's header lines.
std::optional<std::string_view> header(std::string_view lines, std::string_view name) {
  while (!lines.empty()) {
    const auto end = std::min(lines.find(kCrlf), lines.size());
    const auto line = lines.substr(0, end);
    const auto colon = line.find(':');
    if (colon != std::string_view::npos && ascii_iequals(trim(line.substr(0, colon)), name)) {
      return trim(line.substr(colon + 1));
    }
    lines.remove_prefix(std::min(end + kCrlf.size(), lines.size()));
  }
  return std::nullopt;
}

ApiError form_error(std::string message) { return bad_request("Invalid multipart/form-data body: " + message, ""); }

}  // namespace

const FormPart* FormData::find(std::string_view name) const {
  const auto it = std::find_if(parts.begin(), parts.end(), [&](const FormPart& p) { return p.name == name; });
  return it == parts.end() ? nullptr : &*it;
}

Result<FormData> parse_form_data(std::string_view content_type, std::string_view body) {
  const auto semicolon = std::min(content_type.find(';'), content_type.size());
  if (!ascii_iequals(trim(content_type.substr(0, semicolon)), "multipart/form-data")) {
    return bad_request("The body must be multipart/form-data", "");
  }
  FormData form;
  auto boundary = parameter(content_type, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > 70) {
    return form_error("the Content-Type has no boundary of 1 to 70 characters");
  }
  form.boundary = std::move(*boundary);
  const std::string delimiter = "--" + form.boundary;
  // The first delimiter may follow a preamble; every later one starts a line.
  std::size_t at = body.substr(0, delimiter.size()) == delimiter ? 0 : body.find("\r\n" + delimiter);
  if (at == std::string_view::npos) return form_error("no part starts with the boundary");
  if (at != 0) at += kCrlf.size();
  const std::string separator = "\r\n" + delimiter;
  while (true) {
    at += delimiter.size();
    if (body.substr(at, 2) == "--") return form;  // the closing delimiter
    if (body.substr(at, 2) != kCrlf) return form_error("a boundary is not followed by a line end");
    at += kCrlf.size();
    if (form.parts.size() == kMaxFormParts) {
      return form_error("more than " + std::to_string(kMaxFormParts) + " parts");
    }
    const auto headers_end = body.find("\r\n\r\n", at);
    if (headers_end == std::string_view::npos || headers_end - at > kMaxFormPartHeaderBytes) {
      return form_error("a part's headers do not end within " + std::to_string(kMaxFormPartHeaderBytes) + " bytes");
    }
    const auto value_start = headers_end + 4;
    const auto value_end = body.find(separator, value_start);
    if (value_end == std::string_view::npos) return form_error("the last part is not closed by the boundary");
    FormPart part;
    part.headers = body.substr(at, headers_end - at);
    part.value = body.substr(value_start, value_end - value_start);
    const auto disposition = header(part.headers, "content-disposition");
    auto name = disposition ? parameter(*disposition, "name") : std::nullopt;
    if (!name || name->empty()) return form_error("a part has no Content-Disposition name");
    part.name = std::move(*name);
    part.filename = parameter(*disposition, "filename");
    form.parts.push_back(std::move(part));
    at = value_end + kCrlf.size();
  }
}

std::string write_form_data(const FormData& form, std::string_view name, std::string_view value) {
  std::string out;
  for (const auto& part : form.parts) {
    out += "--";
    out += form.boundary;
    out += kCrlf;
    out += part.headers;
    out += "\r\n\r\n";
    out += part.name == name ? value : part.value;
    out += kCrlf;
  }
  out += "--";
  out += form.boundary;
  out += "--\r\n";
  return out;
}

}  // namespace tollgate::core
