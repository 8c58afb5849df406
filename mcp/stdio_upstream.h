#pragma once
// A stdio MCP server (config file only: the operator's own command): a subprocess started on
// the first call, newline-delimited JSON-RPC on its stdin and stdout. A reader thread takes
// its answers, a writer thread feeds its stdin (a child that stops reading blocks only that
// thread, never an I/O thread). When it exits, waiting calls fail and the next call starts it
// again.
#include <memory>

#include "mcp/upstream.h"

namespace tollgate::mcp {

std::shared_ptr<Upstream> make_stdio_upstream(UpstreamContext context);

}  // namespace tollgate::mcp
