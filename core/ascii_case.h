#pragma once
// Case folding for protocol text — schemes, hosts, media types, auth schemes, header names, log
// levels — where only A-Z fold: bytes of 0x80 and above are left as they are whatever the
// locale (std::tolower's answer depends on it). One definition for every such comparison.
#include <string>
#include <string_view>

namespace tollgate::core {

char ascii_lower(char c);
std::string ascii_lower(std::string_view text);
bool ascii_iequals(std::string_view a, std::string_view b);
// Whether `text` starts with `prefix`, case ignored on both sides.
bool ascii_istarts_with(std::string_view text, std::string_view prefix);
// Whether `part` occurs anywhere in `text`, case ignored on both sides.
bool ascii_icontains(std::string_view text, std::string_view part);

}  // namespace tollgate::core
