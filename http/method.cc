#include "http/method.h"

namespace tollgate::http {

std::string_view method_name(Method method) {
  switch (method) {
    case Method::get: return "GET";
    case Method::head: return "HEAD";
    case Method::post: return "POST";
    case Method::put: return "PUT";
    case Method::patch: return "PATCH";
    case Method::delete_: return "DELETE";
    case Method::options: return "OPTIONS";
    case Method::unknown: break;
  }
  return "UNKNOWN";
}

Method parse_method(std::string_view text) {
  if (text == "GET") return Method::get;
  if (text == "POST") return Method::post;
  if (text == "PUT") return Method::put;
  if (text == "PATCH") return Method::patch;
  if (text == "DELETE") return Method::delete_;
  if (text == "HEAD") return Method::head;
  if (text == "OPTIONS") return Method::options;
  return Method::unknown;
}

}  // namespace tollgate::http
