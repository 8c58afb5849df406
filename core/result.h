#pragma once
// The one result type of synchronous code: a value, or the error a client is answered with.
//
//   core::Result<UpstreamRequest> build(...);      // returns the value, or core::bad_request(..)
//   auto r = build(...);
//   if (!r) return respond(r.error());
//   use(*r);
//
// Result<void> is "done, or an error". Exceptions are not thrown across this type: where they
// may live, and where they become a Result, is written down in docs/contributing.md.
#include <utility>
#include <variant>

#include "core/api_error.h"

namespace tollgate::core {

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}         // NOLINT: implicit by design
  Result(ApiError error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const ApiError& error() const& { return std::get<1>(state_); }
  ApiError&& error() && { return std::get<1>(std::move(state_)); }

 private:
  std::variant<T, ApiError> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(ApiError error) : error_(std::move(error)), failed_(true) {}  // NOLINT: implicit by design

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }

  const ApiError& error() const& { return error_; }
  ApiError&& error() && { return std::move(error_); }

 private:
  ApiError error_;
  bool failed_ = false;
};

using Status = Result<void>;

}  // namespace tollgate::core
