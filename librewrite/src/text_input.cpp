// SPDX-License-Identifier: BSD-2-Clause
// text_input.cpp: reading text inputs whole and splitting them into content lines (see text_input.h).
#include "rewrite/text_input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace rewrite {
namespace {

// Returns what kind of file st describes, for "is a directory"-style messages.
const char* kind_of(const struct stat& st) {
  if (S_ISDIR(st.st_mode)) return "is a directory";
  if (S_ISFIFO(st.st_mode)) return "is a FIFO";
  if (S_ISCHR(st.st_mode)) return "is a character device";
  if (S_ISBLK(st.st_mode)) return "is a block device";
  if (S_ISSOCK(st.st_mode)) return "is a socket";
  return "is a special file";
}

// Closes a descriptor when it goes out of scope.
struct Descriptor {
  int fd;
  ~Descriptor() {
    if (fd >= 0) close(fd);
  }
};

}  // namespace

std::optional<std::string> read_text_file(const std::string& path, const std::string& what, ConfigError& error,
                                          std::size_t max_bytes) {
  error = {printable(path), 0, ""};
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below as not a regular file.
  Descriptor file{open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC)};
  if (file.fd < 0) {
    error.reason = "cannot open " + what + ": " + std::strerror(errno);
    return std::nullopt;
  }
  struct stat st {};
  if (fstat(file.fd, &st) != 0) {
    error.reason = "cannot read " + what + ": " + std::strerror(errno);
    return std::nullopt;
  }
  if (!S_ISREG(st.st_mode)) {
    error.reason = "cannot read " + what + ": " + kind_of(st) + ", not a regular file";
    return std::nullopt;
  }
  if (static_cast<std::size_t>(st.st_size) > max_bytes) {
    error.reason = "cannot read " + what + ": larger than " + std::to_string(max_bytes) + " bytes";
    return std::nullopt;
  }
  std::string content;
  content.reserve(static_cast<std::size_t>(st.st_size));
  char buffer[65536];
  for (;;) {
    const ssize_t got = read(file.fd, buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) continue;
      error.reason = "cannot read " + what + ": " + std::strerror(errno);
      return std::nullopt;
    }
    if (got == 0) break;
    if (content.size() + static_cast<std::size_t>(got) > max_bytes) {  // it grew while being read
      error.reason = "cannot read " + what + ": larger than " + std::to_string(max_bytes) + " bytes";
      return std::nullopt;
    }
    content.append(buffer, static_cast<std::size_t>(got));
  }
  return content;
}

std::string printable(std::string_view text) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && byte != '\t') || byte == 0x7f) {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

std::string_view strip_comment(std::string_view line) {
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (quoted && line[i] == '\\') {
      ++i;
    } else if (line[i] == '"') {
      quoted = !quoted;
    } else if (!quoted && line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
      return line.substr(0, i);
    }
  }
  return line;
}

std::string_view trim_blanks(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  split_fields(line, fields);
  return fields;
}

void split_fields(std::string_view line, std::vector<std::string_view>& fields) {
  fields.clear();
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    const std::size_t start = i;
    bool quoted = false;
    while (i < line.size() && (quoted || (line[i] != ' ' && line[i] != '\t'))) {
      if (quoted && line[i] == '\\' && i + 1 < line.size()) {
        ++i;
      } else if (line[i] == '"') {
        quoted = !quoted;
      }
      ++i;
    }
    fields.push_back(line.substr(start, i - start));
  }
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> items;
  std::string current;
  for (const char c : text) {
    if (c == ',' || c == ';' || c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      if (!current.empty()) items.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) items.push_back(std::move(current));
  return items;
}

TextLines::TextLines(std::string_view text, std::string source) : text_(text), source_(std::move(source)) {
  if (text_.rfind("\xEF\xBB\xBF", 0) == 0) pos_ = 3;  // UTF-8 byte order mark
}

bool TextLines::next(std::string_view& line, std::vector<ConfigError>& errors) {
  while (pos_ < text_.size()) {
    std::size_t end = text_.find('\n', pos_);
    if (end == std::string_view::npos) end = text_.size();
    std::string_view raw = text_.substr(pos_, end - pos_);
    pos_ = end + 1;
    ++number_;
    if (raw.find('\0') != std::string_view::npos) {
      errors.push_back(error("NUL byte in line"));
      continue;
    }
    const std::string_view content = trim_blanks(strip_comment(raw));
    if (content.empty()) continue;
    line = content;
    return true;
  }
  return false;
}

}  // namespace rewrite
