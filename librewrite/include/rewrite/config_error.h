// SPDX-License-Identifier: BSD-2-Clause
// config_error.h: one problem found in a configuration or rule file, reported as `file:line: reason`.
// Thread safety: plain value type.
#pragma once

#include <string>
#include <vector>

namespace rewrite {

struct ConfigError {
  std::string file;    // path as given by the caller (or a name such as "<stdin>")
  int line = 0;        // 1-based; 0 when the problem is not tied to a line
  std::string reason;  // human-readable, no trailing newline

  // Returns "file:line: reason" (or "file: reason" when line is 0), control bytes written as \xNN.
  std::string to_string() const;
};

// Returns "file:line", or "file" alone when line is 0 (a whole file, or a directory entry's DN).
std::string source_location(const std::string& file, int line);

// Returns every error, one per line, each formatted by ConfigError::to_string().
std::string format_errors(const std::vector<ConfigError>& errors);

}  // namespace rewrite
