#pragma once
// Management handlers run as straight-line code on a store thread; any step may end the
// request with an error by throwing HttpError, which the runner turns into the envelope.
#include <exception>
#include <string>
#include <utility>

#include "core/result.h"

namespace tollgate::api {

class HttpError : public std::exception {
 public:
  explicit HttpError(core::ApiError error) : error_(std::move(error)) {}
  const char* what() const noexcept override { return error_.message.c_str(); }
  const core::ApiError& error() const { return error_; }

 private:
  core::ApiError error_;
};

[[noreturn]] inline void throw_bad_request(std::string message, std::string param = {}) {
  throw HttpError(core::bad_request(std::move(message), std::move(param)));
}
[[noreturn]] inline void throw_not_found(std::string message) { throw HttpError(core::not_found(std::move(message))); }
[[noreturn]] inline void throw_forbidden(std::string message) { throw HttpError(core::forbidden(std::move(message))); }

// Where management work calls code shared with the I/O threads (which returns a Result).
inline void throw_if_error(core::Status status) {
  if (!status) throw HttpError(std::move(status).error());
}
template <class T>
T value_or_throw(core::Result<T> result) {
  if (!result) throw HttpError(std::move(result).error());
  return std::move(result).value();
}

}  // namespace tollgate::api
