#pragma once
// The built-in `mock/` provider as a plug-in: answered in process (proxy/mock_answer.h).
#include "providers/provider.h"

namespace tollgate::providers {

const Provider& mock_plugin();

}  // namespace tollgate::providers
