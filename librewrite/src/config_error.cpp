// SPDX-License-Identifier: BSD-2-Clause
// config_error.cpp: formatting of configuration errors as `file:line: reason`.
#include "rewrite/config_error.h"

#include "rewrite/text_input.h"

namespace rewrite {

std::string source_location(const std::string& file, int line) {
  return line > 0 ? file + ":" + std::to_string(line) : file;
}

std::string ConfigError::to_string() const {
  // Control bytes from the input are shown as \xNN, never written to a terminal or log as they are.
  std::string out = source_location(printable(file), line);
  out += ": ";
  out += printable(reason);
  return out;
}

std::string format_errors(const std::vector<ConfigError>& errors) {
  std::string out;
  for (const ConfigError& error : errors) {
    out += error.to_string();
    out += '\n';
  }
  return out;
}

}  // namespace rewrite
