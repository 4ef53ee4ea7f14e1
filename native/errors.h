// How the core reports failure: a stable code (one of Blosc2Error's codes on
// the JS side), a message for people, and C-Blosc2's own error number. The
// core never throws; the bindings turn a Failure into a JS error.
#pragma once

#include <string>

namespace blosc2_node {

struct Failure {
  const char* code;  // stable error code, nullptr on success
  std::string message;
  int cerr = 0;  // C-Blosc2's own error number, 0 when there is none
};

inline Failure Ok() { return {nullptr, ""}; }

// "<what> (C-Blosc2 error <rc>: <C-Blosc2's text>)"
std::string BloscMessage(const char* what, int rc);

}  // namespace blosc2_node
