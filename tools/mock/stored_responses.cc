#include "tools/mock/stored_responses.h"

#include "tools/mock/json_out.h"

namespace tollgate::mock {

StoredResponsePath stored_response_path(std::string_view path) {
  StoredResponsePath out;
  for (std::string_view prefix : {"/v1/responses/", "/responses/", "/openai/responses/"}) {
    if (path.substr(0, prefix.size()) != prefix) continue;
    auto rest = path.substr(prefix.size());
    constexpr std::string_view kItems = "/input_items";
    if (rest.size() > kItems.size() && rest.substr(rest.size() - kItems.size()) == kItems) {
      rest.remove_suffix(kItems.size());
      out.input_items = true;
    }
    if (rest.empty() || rest.find('/') != std::string_view::npos) return {};
    out.id = rest;
    return out;
  }
  return {};
}

std::string stored_response_body(std::string_view method, const StoredResponsePath& path) {
  std::string out;
  if (path.input_items) {
    out = R"({"object":"list","data":[],"first_id":null,"last_id":null,"has_more":false})";
    return out;
  }
  out = R"({"id":)";
  append_json_string(out, path.id);
  if (method == "DELETE") {
    out += R"(,"object":"response","deleted":true})";
    return out;
  }
  out += R"(,"object":"response","created_at":0,"status":"completed","model":"mock-model","output":[],)"
         R"("usage":{"input_tokens":0,"output_tokens":0,"total_tokens":0}})";
  return out;
}

}  // namespace tollgate::mock
