#pragma once
// The cluster as the admission's leases see it (actors/lease_network.h): owners from the
// current ring, peers from the live members, messages over the authenticated peer link.
#include <memory>

#include "actors/lease_network.h"

namespace tollgate::cluster {

class ExposureLog;
class Membership;
class PeerLink;

class RingLeaseNetwork : public actors::LeaseNetwork {
 public:
  // `exposures` may be null (a cluster without Redis keeps none: docs/cluster.md).
  RingLeaseNetwork(const Membership& membership, PeerLink& link, ExposureLog* exposures);

  Node owner_of(std::string_view entity) const override;
  std::vector<Node> peers() const override;
  void request_lease(const Node& owner, core::LeaseRequest request,
                     std::function<void(core::Result<core::LeaseGrant>)> done) override;
  void request_handover(const Node& peer, core::HandoverQuery query,
                        std::function<void(core::Result<core::HandoverAnswer>)> done) override;
  void record_exposure(const std::string& entity, const std::string& node, const core::Exposure& exposure,
                       std::function<void()> then) override;
  void read_exposure(const std::string& entity, std::function<void(ExposureRecords)> done) override;

 private:
  const Membership& membership_;
  PeerLink& link_;
  ExposureLog* exposures_;
};

}  // namespace tollgate::cluster
