#include "tools/mock/http_out.h"

#include <charconv>

#include "tools/mock/json_out.h"

namespace tollgate::mock {

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 529: return "Overloaded";
    default: return status >= 500 ? "Server Error" : status >= 400 ? "Client Error" : "Unknown";
  }
}

namespace {

void append_status_line(std::string& out, int status) {
  out += "HTTP/1.1 ";
  append_int(out, status);
  out += ' ';
  out += reason_phrase(status);
  out += "\r\n";
}

}  // namespace

void append_head(std::string& out, int status, std::string_view content_type, std::size_t content_length,
                 bool keep_alive, std::string_view extra_headers) {
  append_status_line(out, status);
  out += "content-type: ";
  out += content_type;
  out += "\r\ncontent-length: ";
  append_uint(out, content_length);
  out += "\r\n";
  if (!keep_alive) {
    out += "connection: close\r\n";
  }
  out += extra_headers;
  out += "\r\n";
}

void append_stream_head(std::string& out, std::string_view content_type, bool keep_alive) {
  append_status_line(out, 200);
  out += "content-type: ";
  out += content_type;
  out += "\r\ncache-control: no-cache\r\ntransfer-encoding: chunked\r\n";
  if (!keep_alive) {
    out += "connection: close\r\n";
  }
  out += "\r\n";
}

void append_chunk(std::string& out, std::string_view data) {
  if (data.empty()) {
    return;
  }
  char size[20];
  const auto result = std::to_chars(size, size + sizeof size, data.size(), 16);
  out.append(size, result.ptr);
  out += "\r\n";
  out += data;
  out += "\r\n";
}

}  // namespace tollgate::mock
