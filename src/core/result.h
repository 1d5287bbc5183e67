// Errors as values: every fallible operation returns Result<T> (or Status).
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace wardline {

// A machine-readable code ("invalid_config", "not_found", ...), a message
// that says what went wrong and how to fix it, and optionally the field or
// location it concerns.
struct Error {
  std::string code;
  std::string message;
  std::string field;
};

inline Error make_error(std::string code, std::string message,
                        std::string field = {}) {
  return Error{std::move(code), std::move(message), std::move(field)};
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result of an operation with nothing to return.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), failed_(true) {}
  static Status Ok() { return {}; }

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool failed_ = false;
};

}  // namespace wardline
