#include "persistence/sqlite_placeholders.h"

#include <cctype>

namespace tollgate::persistence {

std::string sqlite_numbered_placeholders(std::string_view sql) {
  std::string out(sql);
  char quote = 0;  // the quote character of the literal or identifier we are inside, if any
  for (std::size_t i = 0; i < out.size(); ++i) {
    const char c = out[i];
    if (quote != 0) {
      if (c == quote) quote = 0;  // a doubled quote ('') closes and reopens: same effect
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '$' && i + 1 < out.size() && std::isdigit(static_cast<unsigned char>(out[i + 1]))) {
      out[i] = '?';
    }
  }
  return out;
}

}  // namespace tollgate::persistence
