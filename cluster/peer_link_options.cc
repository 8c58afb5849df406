#include "cluster/peer_link_options.h"

#include "core/node_address.h"

namespace tollgate::cluster {

core::Result<PeerLinkOptions> peer_link_options(const config::ClusterTransportSettings& transport) {
  const auto listen = core::parse_host_port(transport.listen);
  if (!listen) return core::internal_error("cluster.listen: expected host:port, got '" + transport.listen + "'");
  PeerLinkOptions options;
  options.listen_host = listen->host;
  options.listen_port = listen->port;
  options.tls = PeerTls{transport.tls.certificate, transport.tls.key, transport.tls.ca, transport.tls.passphrase};
  return options;
}

}  // namespace tollgate::cluster
