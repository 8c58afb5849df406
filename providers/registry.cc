#include "providers/registry.h"

#include "providers/anthropic/anthropic_provider.h"
#include "providers/azure/azure_provider.h"
#include "providers/bedrock/bedrock_provider.h"
#include "providers/gemini/gemini_provider.h"
#include "providers/mock/mock_plugin.h"
#include "providers/openai/openai_provider.h"
#include "providers/vertex/vertex_provider.h"

namespace tollgate::providers {

const Provider& provider_for(core::ProviderKind kind) {
  switch (kind) {
    case core::ProviderKind::azure: return azure_provider();
    case core::ProviderKind::anthropic: return anthropic_provider();
    case core::ProviderKind::mock: return mock_plugin();
    case core::ProviderKind::bedrock: return bedrock_provider();
    case core::ProviderKind::gemini: return gemini_provider();
    case core::ProviderKind::vertex_ai: return vertex_provider();
    case core::ProviderKind::openai: return openai_provider();
  }
  return openai_provider();
}

}  // namespace tollgate::providers
