// tollgate-mock: a fast OpenAI- and Anthropic-compatible fake upstream for integration tests
// and benchmarks. Parses flags, listens, announces the port, runs until SIGTERM/SIGINT.
#include <pthread.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <fstream>
#include <string>

#include "tools/mock/options.h"
#include "tools/mock/server.h"

namespace {

// Written under a temporary name and renamed, so a reader never sees a partial file.
bool write_port_file(const std::string& path, unsigned short port) {
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream file(temporary, std::ios::trunc);
    file << port << '\n';
    if (!file.flush()) {
      return false;
    }
  }
  return std::rename(temporary.c_str(), path.c_str()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tollgate::mock;
  Options options;
  const std::string problem = parse_options(argc, argv, options);
  if (options.help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (!problem.empty()) {
    std::fprintf(stderr, "tollgate-mock: %s\n%s", problem.c_str(), kUsage);
    return 2;
  }

  // Block the stop signals before any thread starts, so they all inherit the mask and only
  // sigwait() below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  try {
    Server server(options);
    server.start();
    if (!options.port_file.empty() && !write_port_file(options.port_file, server.port())) {
      std::fprintf(stderr, "tollgate-mock: cannot write %s\n", options.port_file.c_str());
      return 1;
    }
    std::printf("tollgate-mock listening on %u\n", static_cast<unsigned>(server.port()));
    std::fflush(stdout);

    int signal = 0;
    sigwait(&stop_signals, &signal);
    server.stop();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tollgate-mock: %s\n", e.what());
    return 1;
  }
  return 0;
}
