// SPDX-License-Identifier: BSD-2-Clause
// text_input.h: the one reader of every text input: rules files (native and Exchange CSV),
// rewrite-milter.conf, cases files, address lists and recipient lists. It reads a file whole or refuses
// it, splits it into lines with one comment rule, one trim and one field splitter, and gives every
// error one shape: `file:line: reason` (ConfigError).
//
// The rules, for every format:
// - A file must be a regular, readable file of at most kMaxInputBytes; anything else (a directory, a
//   FIFO, a device, a larger file) is refused with its name and the reason.
// - Lines end at LF; a CR before it is dropped. A UTF-8 byte order mark before the first line is dropped.
// - A '#' that starts a line or follows a space or tab, outside double quotes, starts a comment that
//   runs to the end of the line ("a#b@example.com" is an address, "x # note" is x).
// - Leading and trailing spaces and tabs are trimmed; a line left empty is skipped.
// - A line holding a NUL byte is an error ("NUL byte in line"), never read in part.
// - Fields are separated by runs of spaces and tabs outside double quotes, so "john doe"@example.com
//   is one field; lists (split_list) by commas, semicolons and white space.
// Thread safety: pure functions; a TextLines object belongs to one thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rewrite/config_error.h"

namespace rewrite {

// The largest input file read (1 GiB: room for a rules file of ten million rules).
inline constexpr std::size_t kMaxInputBytes = std::size_t{1} << 30;

// Reads the whole file at path; what names it in errors ("rules file"). Returns nullopt and sets error
// ({path, 0, "cannot open rules file: No such file or directory"}) when path is not a regular file,
// cannot be opened or read, or is larger than max_bytes.
std::optional<std::string> read_text_file(const std::string& path, const std::string& what, ConfigError& error,
                                          std::size_t max_bytes = kMaxInputBytes);

// Returns text with control bytes (below 0x20 but tab, and 0x7f) written as \xNN, for error messages
// that quote input.
std::string printable(std::string_view text);

// Returns line without a comment (see above).
std::string_view strip_comment(std::string_view line);

// Returns text without leading and trailing spaces, tabs, CRs and LFs.
std::string_view trim_blanks(std::string_view text);

// Splits line at runs of spaces and tabs outside double quotes (a backslash in quotes escapes the next
// byte).
std::vector<std::string_view> split_fields(std::string_view line);
// The same into fields (cleared first), whose room is kept from line to line.
void split_fields(std::string_view line, std::vector<std::string_view>& fields);

// Splits a list at commas, semicolons and white space, dropping empty items.
std::vector<std::string> split_list(std::string_view text);

// The content lines of one input: comments stripped, trimmed, blank lines skipped, NUL lines reported.
class TextLines {
 public:
  // text is read in place and must outlive the object; source names it in errors.
  TextLines(std::string_view text, std::string source);

  // Sets line to the next content line and returns true, or returns false at the end. A line with a NUL
  // byte is skipped and reported in errors.
  bool next(std::string_view& line, std::vector<ConfigError>& errors);
  // The 1-based number of the line last returned by next().
  int number() const { return number_; }
  const std::string& source() const { return source_; }
  // Returns an error at the line last returned.
  ConfigError error(std::string reason) const { return {source_, number_, std::move(reason)}; }

 private:
  std::string_view text_;
  std::string source_;
  std::size_t pos_ = 0;
  int number_ = 0;
};

}  // namespace rewrite
