#pragma once
// The SSRF guard of one outbound request (core/ssrf_policy.h is the policy). Set
// OutboundRequest::guard for a request to an admin-supplied URL (an MCP server registered
// through /v1/mcp/server); leave it null for upstreams the operator configured (models, config
// mcp_servers, JWKS URLs from config).
//
// With a guard, the client resolves the host once, checks every address it resolved (any one
// refused refuses the call), and connects only to those checked addresses; a literal address
// is checked as it is. A refused call ends in ResponseSink::on_error(ClientErrorKind::blocked,
// reason) without any connection attempt. Guarded calls keep their own keep-alive pool, so
// they never reuse a connection an unguarded call opened. The client follows no redirects and
// uses no proxy, so the checked address is the one connected to.
#include <memory>
#include <string>
#include <vector>

#include "core/ssrf_policy.h"

namespace tollgate::http {

struct Resolution {
  std::vector<core::IpAddress> addresses;  // A and AAAA, in the resolver's order
  std::string error;                       // set when the lookup failed
};

// Looks a host name up. The system resolver (getaddrinfo) blocks: call it off the I/O
// threads (the admin API does, on its store worker). A test resolver answers from memory and
// may answer differently on each call, as a rebinding DNS server would.
class HostResolver {
 public:
  virtual ~HostResolver() = default;
  virtual Resolution resolve(const std::string& host) const = 0;
};

// getaddrinfo(AF_UNSPEC, SOCK_STREAM).
std::shared_ptr<const HostResolver> system_resolver();

struct OutboundGuard {
  core::SsrfPolicy policy;
  // Null: the client resolves with asio (getaddrinfo on asio's resolver thread). Set: the
  // client calls it on the I/O thread, so only resolvers that answer from memory belong here.
  std::shared_ptr<const HostResolver> resolver;
};

}  // namespace tollgate::http
