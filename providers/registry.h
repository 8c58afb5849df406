#pragma once
// The provider plug-in serving a deployment, chosen by its `provider/` prefix (the prefix table
// is core/provider_kind: config validates prefixes without knowing the plug-ins).
#include "config/config.h"
#include "core/provider_kind.h"
#include "providers/provider.h"

namespace tollgate::providers {

const Provider& provider_for(core::ProviderKind kind);

inline const Provider& provider_of(const config::Deployment& deployment) { return provider_for(deployment.provider); }

}  // namespace tollgate::providers
