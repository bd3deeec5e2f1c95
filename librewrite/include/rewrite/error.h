// SPDX-License-Identifier: BSD-2-Clause
// error.h: the one small error type for failures that are not a line of an input file (those are
// ConfigError lists, config_error.h): a system call that failed, a malformed socket specification, a
// bad network. Error holds a message, empty on success; Result<T> holds a value or an Error. Errors are
// values: nothing here throws, and no exception crosses the libmilter boundary.
// Thread safety: plain value types.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace rewrite {

class [[nodiscard]] Error {
 public:
  // No error.
  Error() = default;
  // An error saying message (which must not be empty).
  explicit Error(std::string message) : message_(std::move(message)) {}

  // True when there is an error.
  bool failed() const { return !message_.empty(); }
  explicit operator bool() const { return failed(); }
  // The message, "" when there is no error.
  const std::string& message() const { return message_; }

 private:
  std::string message_;
};

// A value, or the Error that prevented it.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit, as a return value
  Result(Error error) : error_(std::move(error)) {}  // NOLINT: implicit, as a return value

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  // The value; requires ok().
  const T& operator*() const { return *value_; }
  T& operator*() { return *value_; }
  const T* operator->() const { return &*value_; }
  // The error; empty when ok().
  const Error& error() const { return error_; }

 private:
  std::optional<T> value_;
  Error error_;
};

}  // namespace rewrite
