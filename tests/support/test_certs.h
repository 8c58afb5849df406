#pragma once
// Throwaway certificates for the cluster's mutual TLS (cluster/peer_link), made with the
// `openssl` CLI at test time: a CA of its own (EC P-256, SHA-256: accepted at OpenSSL 3's
// default security level) in a fresh temporary directory, and node certificates it signs.
// Make a second TestCa for a foreign CA.
#include <string>

namespace tollgate::testing {

// PEM file paths, as cluster::PeerTls and the cluster.tls config block take them.
struct CertFiles {
  std::string certificate;
  std::string key;
  std::string ca;  // the CA that signed `certificate`
};

class TestCa {
 public:
  // Throws std::runtime_error when openssl fails (its output is in <dir>/openssl.log).
  explicit TestCa(const std::string& name = "tollgate-test-ca");

  const std::string& certificate() const { return certificate_; }
  const std::string& dir() const { return dir_; }

  // A certificate for `name` (its common name and file names), signed by this CA.
  CertFiles issue(const std::string& name) const;

 private:
  std::string dir_;
  std::string certificate_;
  std::string key_;
};

// One CA for the whole test process, made on first use (tests that need a cluster config and
// no second CA).
const TestCa& process_test_ca();

// The transport keys of a `cluster:` block (indented by two spaces, one per line): `listen`
// and the `tls` files.
std::string cluster_transport_yaml(const CertFiles& files, const std::string& listen);

}  // namespace tollgate::testing
