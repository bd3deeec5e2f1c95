// SPDX-License-Identifier: BSD-2-Clause
// input.cpp: reading the tool's input files (messages, cases, address lists) byte for byte, with
// librewrite's one file reader (text_input.h), or standard input for "-".
#include <iostream>
#include <sstream>

#include "modes.h"
#include "rewrite/text_input.h"

namespace rewrite::tool {

Result<std::string> read_input(const std::string& path, const std::string& what) {
  if (path == "-") {
    std::ostringstream content;
    content << std::cin.rdbuf();
    if (std::cin.bad()) return Error("cannot read standard input");
    return content.str();
  }
  ConfigError refused;
  std::optional<std::string> text = read_text_file(path, what, refused);
  if (!text) return Error(refused.to_string());
  return std::move(*text);
}

std::string display_name(const std::string& path) { return path == "-" ? "<stdin>" : path; }

}  // namespace rewrite::tool
