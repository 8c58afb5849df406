#pragma once
// The cluster as the admission's leases see it (actors/lease_network.h): owners from the
// current ring, peers from the live members, messages over the authenticated peer link.
#include <memory>

#include "actors/lease_network.h"

namespace tollgate::cluster {

class Membership;
class PeerLink;

class RingLeaseNetwork : public actors::LeaseNetwork {
 public:
  RingLeaseNetwork(const Membership& membership, PeerLink& link);

  Node owner_of(std::string_view entity) const override;
  std::vector<Node> peers() const override;
  void request_lease(const Node& owner, core::LeaseRequest request,
                     std::function<void(core::Result<core::LeaseGrant>)> done) override;
  void request_handover(const Node& peer, core::HandoverQuery query,
                        std::function<void(core::Result<core::HandoverAnswer>)> done) override;

 private:
  const Membership& membership_;
  PeerLink& link_;
};

}  // namespace tollgate::cluster
