#include "core/redaction.h"

#include <algorithm>
#include <cctype>

#include "core/ascii_case.h"

namespace tollgate::core {
namespace {

bool is_token_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == '-' || c == '_';
}

bool is_base64url_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == '-' || c == '_' || c == '=';
}

std::size_t skip_while(std::string_view text, std::size_t at, bool (*pred)(char)) {
  while (at < text.size() && pred(text[at])) {
    ++at;
  }
  return at;
}

// Length of a credential shape starting at `at`, or 0 when there is none. Sets `keep` to the
// number of leading characters to keep verbatim (e.g. "Bearer ").
std::size_t credential_length(std::string_view text, std::size_t at, std::size_t& keep) {
  keep = 0;
  const bool at_word_start = at == 0 || !is_token_char(text[at - 1]);
  if (!at_word_start) {
    return 0;
  }
  if (text.compare(at, 3, "sk-") == 0) {
    const std::size_t end = skip_while(text, at + 3, is_token_char);
    return end > at + 3 ? end - at : 0;
  }
  if (ascii_istarts_with(text.substr(at), "bearer ")) {
    std::size_t token_start = at + 7;
    while (token_start < text.size() && text[token_start] == ' ') {
      ++token_start;
    }
    std::size_t end = token_start;
    while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end])) && text[end] != '"' &&
           text[end] != '\'' && text[end] != ',') {
      ++end;
    }
    if (end == token_start) {
      return 0;
    }
    keep = token_start - at;
    return end - at;
  }
  if (text.compare(at, 3, "eyJ") == 0) {
    // header.payload[.signature]: two dots make it a JWT
    std::size_t end = skip_while(text, at, is_base64url_char);
    if (end < text.size() && text[end] == '.') {
      end = skip_while(text, end + 1, is_base64url_char);
      if (end < text.size() && text[end] == '.') {
        end = skip_while(text, end + 1, is_base64url_char);
        return end - at;
      }
    }
  }
  return 0;
}

}  // namespace

void Redactor::add_secret(std::string secret) {
  if (secret.size() < 6) {
    return;
  }
  if (std::find(secrets_.begin(), secrets_.end(), secret) == secrets_.end()) {
    secrets_.push_back(std::move(secret));
  }
}

bool Redactor::contains_secret(std::string_view text) const {
  for (const auto& secret : secrets_) {
    if (text.find(secret) != std::string_view::npos) {
      return true;
    }
  }
  std::size_t keep = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c == 's' || c == 'b' || c == 'B' || c == 'e') && credential_length(text, i, keep) > 0) {
      return true;
    }
  }
  return false;
}

std::string Redactor::redact(std::string_view input) const {
  // First pass: registered secrets (they may not have a recognisable shape).
  std::string text(input);
  for (const auto& secret : secrets_) {
    for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + kRedacted.size())) {
      text.replace(pos, secret.size(), kRedacted);
    }
  }
  // Second pass: credential shapes.
  std::string out;
  out.reserve(text.size());
  std::size_t keep = 0;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = credential_length(text, i, keep);
    if (length == 0) {
      out.push_back(text[i]);
      ++i;
      continue;
    }
    out.append(text, i, keep);
    out += kRedacted;
    i += length;
  }
  return out;
}

}  // namespace tollgate::core
