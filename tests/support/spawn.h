#pragma once
// Starting helper processes (the mock upstream, a private redis-server) from tests.
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace tollgate::testing {

// Starts args[0] (looked up in PATH unless it is a path) with args[1…], stdout to /dev/null;
// throws std::runtime_error when it cannot start. The caller kills and reaps it.
pid_t spawn_quiet(std::vector<std::string> args);

// A TCP port free on 127.0.0.1 right now (for a process that needs its port before it starts).
std::uint16_t free_port();

}  // namespace tollgate::testing
