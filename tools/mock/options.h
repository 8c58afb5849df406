#pragma once
// Command-line flags of tollgate-mock.
#include <string>

#include "tools/mock/behavior.h"

namespace tollgate::mock {

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: the kernel picks a free port (announced on stdout and in --port-file)
  int threads = 1;
  std::string port_file;
  std::string tls_cert;  // both set: HTTPS only
  std::string tls_key;
  std::string azure_api_key;  // set: the only `api-key` Azure's routes accept (else any non-empty one)
  Defaults defaults;
  bool help = false;
};

extern const char* const kUsage;

// Fills `options` from argv ("--flag value" or "--flag=value"). Returns an error message, empty
// when every flag was valid.
std::string parse_options(int argc, const char* const* argv, Options& options);

}  // namespace tollgate::mock
