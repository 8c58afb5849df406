// From the cluster settings to the peer link's options.
#include <catch2/catch.hpp>

#include "cluster/peer_link_options.h"

using tollgate::cluster::peer_link_options;
using tollgate::config::ClusterTransportSettings;

TEST_CASE("peer link options: listen splits into host and port, the TLS files pass as they are", "[unit][cluster]") {
  ClusterTransportSettings transport;
  transport.listen = "[::]:4200";
  transport.tls = {"/etc/tg/gw-1.pem", "/etc/tg/gw-1-key.pem", "/etc/tg/ca.pem", "pass"};
  const auto options = peer_link_options(transport);
  REQUIRE(options.ok());
  CHECK(options->listen_host == "::");
  CHECK(options->listen_port == 4200);
  CHECK(options->tls.certificate == "/etc/tg/gw-1.pem");
  CHECK(options->tls.key == "/etc/tg/gw-1-key.pem");
  CHECK(options->tls.ca == "/etc/tg/ca.pem");
  CHECK(options->tls.passphrase == "pass");
  CHECK(options->request_timeout == std::chrono::milliseconds(2000));

  transport.listen = "10.0.0.1:4100";
  CHECK(peer_link_options(transport)->listen_host == "10.0.0.1");
  transport.listen = "";
  CHECK_FALSE(peer_link_options(transport).ok());
}
