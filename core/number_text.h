#pragma once
// Numbers as text on the request path (log lines, response headers, error messages), through
// std::to_chars: the printf family costs a few thousand instructions per call (`__printf_fp_l`
// was 1.5% of the gateway's instructions in the bench profile).
#include <string>

namespace tollgate::core {

// Like printf's "%.<significant>g".
std::string general_text(double value, int significant);
void append_general(std::string& out, double value, int significant);

// Like printf's "%.<decimals>f".
std::string fixed_text(double value, int decimals);

}  // namespace tollgate::core
