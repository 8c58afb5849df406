#pragma once
// What an Azure OpenAI api-version accepts of the fields the gateway itself adds to a request.
// Pure, table-tested.
#include <string_view>

namespace tollgate::core {

// Whether `stream_options` (a chat stream's usage chunk, which the gateway asks for to charge
// the stream) is accepted: from the dated versions 2024-09-01-preview and 2024-10-21 on. Older
// ones (2023-05-15, 2024-02-01, 2024-06-01, 2024-08-01-preview) answer 400 "Unrecognized request
// argument supplied: stream_options", so a stream there goes without it and is charged from the
// gateway's count of the prompt and of the text it relayed. A version that is not a date
// ("latest", "preview") is taken as current.
bool azure_accepts_stream_options(std::string_view api_version);

}  // namespace tollgate::core
