// input.cpp: reading the tool's input files (messages, cases, address lists) byte for byte.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "modes.h"

namespace rewrite::tool {

std::optional<std::string> read_input(const std::string& path, std::string& error) {
  std::ostringstream content;
  if (path == "-") {
    content << std::cin.rdbuf();
    if (std::cin.bad()) {
      error = "cannot read standard input";
      return std::nullopt;
    }
    return content.str();
  }
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    error = "cannot read " + path + ": is a directory";
    return std::nullopt;
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    error = "cannot read " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  content << file.rdbuf();
  if (file.bad()) {
    error = "cannot read " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  return content.str();
}

std::string display_name(const std::string& path) { return path == "-" ? "<stdin>" : path; }

}  // namespace rewrite::tool
