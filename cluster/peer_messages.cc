#include "cluster/peer_messages.h"

namespace tollgate::cluster {

void add_peer_message_types(caf::actor_system_config& config) {
  config.add_message_type<core::LeaseAmounts>("tollgate::LeaseAmounts");
  config.add_message_type<core::LeaseLimits>("tollgate::LeaseLimits");
  config.add_message_type<core::Refusal>("tollgate::Refusal");
  config.add_message_type<core::LeaseRequest>("tollgate::LeaseRequest");
  config.add_message_type<core::LeaseGrant>("tollgate::LeaseGrant");
  config.add_message_type<core::HandoverQuery>("tollgate::HandoverQuery");
  config.add_message_type<core::HandoverAnswer>("tollgate::HandoverAnswer");
}

}  // namespace tollgate::cluster
