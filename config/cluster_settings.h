#pragma once
// The `cluster:` block of the config file (docs/cluster.md). Tollgate's own keys, not LiteLLM's.
#include <chrono>
#include <string>
#include <vector>

namespace tollgate::config {

// A member of a static cluster (cluster.peers): no Redis, every listed node is a member.
struct ClusterPeer {
  std::string node_id;
  std::string address;  // host:port of its cluster endpoint; may be empty until that port exists
};

// Membership and the hash ring: who is in the cluster, how a node announces itself.
struct ClusterMembershipSettings {
  bool enabled = false;
  // Several clusters may share one Redis: the name separates their registrations.
  std::string name = "tollgate";
  std::string node_id;            // empty → <hostname>:<HTTP port>
  std::string advertise_address;  // host:port other nodes reach this node's cluster endpoint at
  std::chrono::milliseconds heartbeat_interval{1000};
  // A node whose heartbeats stop is dropped this long after its last one.
  std::chrono::milliseconds node_ttl{5000};
  std::vector<ClusterPeer> peers;  // non-empty → static membership, Redis not used for it
};

// The change fan-out: every node's committed changes reach the others' key caches through
// Redis pub/sub (on with `enabled` and general_settings.redis_url).
struct ClusterChangeSettings {
  // The pub/sub channel (key `change_channel`): nodes sharing a database share it.
  std::string channel = "tollgate:changes";
};

// The mutual-TLS files of the node-to-node transport (PEM paths). All three are required with
// `enabled`: without them CAF's TLS would accept any process as a peer.
struct ClusterTlsSettings {
  std::string certificate;  // this node's certificate, signed by `ca`
  std::string key;          // its private key
  std::string ca;           // the cluster CA: peers must present a certificate it signed
  std::string passphrase;   // of an encrypted key (a secret: os.environ/ recommended)
};

// The node-to-node transport (cluster/peer_link): lease syncs between nodes.
struct ClusterTransportSettings {
  std::string listen;  // host:port to bind; with `enabled`, defaults to advertise_address
  ClusterTlsSettings tls;
};

struct ClusterSettings {
  ClusterMembershipSettings membership;
  ClusterChangeSettings changes;
  ClusterTransportSettings transport;
};

}  // namespace tollgate::config
