#pragma once
// The mutual-TLS material of the node-to-node transport (cluster/peer_link), and the checks
// that run before CAF sees it: caf::openssl without a certificate silently falls back to
// anonymous, unauthenticated ECDH, and it loads these files again for every connection on its
// network thread, where a file it cannot read ends the process. So a node refuses to start
// unless all three files load, the key matches the certificate and the CA vouches for it.
#include <string>

#include "core/result.h"

namespace tollgate::cluster {

struct PeerTls {
  std::string certificate;  // PEM: this node's certificate (chain), signed by `ca`
  std::string key;          // PEM: its private key
  std::string ca;           // PEM: the cluster CA; a peer must present a certificate it signed
  std::string passphrase;   // of an encrypted key; empty when the key is not encrypted
};

// Ok when the files are usable; else an error naming the file and what is wrong with it.
core::Status check_peer_tls(const PeerTls& tls);

}  // namespace tollgate::cluster
