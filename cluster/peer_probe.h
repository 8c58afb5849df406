#pragma once
// A bounded TCP connect to a peer before CAF is asked to connect. caf::openssl's middleman
// actor connects with a blocking connect() on its one thread: a peer whose host drops SYNs (a
// dead machine, a partition) holds it for the kernel's SYN timeout (about two minutes), and
// with it every other connect and the actor system's shutdown. The probe runs on a detached
// actor of its own and gives up after the timeout, so only reachable peers get that far.
#include <caf/fwd.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace tollgate::cluster {

// Empty when a TCP connection to host:port was made (and closed) within `timeout`; else why not.
// Blocks for up to `timeout` (plus name resolution).
std::string tcp_connect_error(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout);

// A one-shot detached actor answering (probe_atom) with tcp_connect_error's result, then quitting.
caf::actor spawn_tcp_probe(caf::actor_system& system, std::string host, std::uint16_t port,
                           std::chrono::milliseconds timeout);

}  // namespace tollgate::cluster
