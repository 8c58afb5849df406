#pragma once
// From the config's cluster block (cluster.listen, cluster.tls) to a PeerLink's options.
#include "cluster/peer_link.h"
#include "config/cluster_settings.h"
#include "core/result.h"

namespace tollgate::cluster {

// An error when `listen` is not host:port (the config loader refuses that already).
core::Result<PeerLinkOptions> peer_link_options(const config::ClusterTransportSettings& transport);

}  // namespace tollgate::cluster
