#pragma once
// Azure OpenAI: the OpenAI wire, the deployment named in the URL, an `api-key` header.
#include "providers/provider.h"

namespace tollgate::providers {

const Provider& azure_provider();

}  // namespace tollgate::providers
