#pragma once
// A response stored through OpenAI's Responses API, read and deleted by id: GET and DELETE
// /v1/responses/{id} (also /responses/{id}, and Azure's /openai/responses/{id}), GET
// …/{id}/input_items. Stateless: any id answers as if it had been stored (the gateway, not
// the mock, decides who may reach it), so a test sees from /_mock/last which path and
// credential the gateway used. Pure; the handler routes.
#include <string>
#include <string_view>

namespace tollgate::mock {

struct StoredResponsePath {
  std::string_view id;  // "" when the path is not a stored response's
  bool input_items = false;
};

StoredResponsePath stored_response_path(std::string_view path);

// The body for `method` ("GET" or "DELETE") on the path: the response object (completed, no
// output), {"id","object":"response","deleted":true}, or an empty input-item list.
std::string stored_response_body(std::string_view method, const StoredResponsePath& path);

}  // namespace tollgate::mock
