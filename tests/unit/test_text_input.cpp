// SPDX-License-Identifier: BSD-2-Clause
// test_text_input.cpp: the one reader of every text input: what a comment is, trimming, fields and lists,
// NUL bytes, and which files are refused.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "rewrite/text_input.h"

namespace {

using rewrite::ConfigError;
using rewrite::TextLines;

// Returns the content lines of text as "number:line".
std::vector<std::string> content_of(const std::string& text, std::vector<ConfigError>& errors) {
  TextLines lines(text, "in");
  std::vector<std::string> out;
  std::string_view line;
  while (lines.next(line, errors)) out.push_back(std::to_string(lines.number()) + ":" + std::string(line));
  return out;
}

// A fresh temporary directory, removed with the object.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "rewrite-text-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

TEST_CASE("text_input: one comment rule, trim and blank lines for every format") {
  std::vector<ConfigError> errors;
  const auto lines = content_of("\xEF\xBB\xBF# heading\n  a#b@contoso.com  \r\n\n x # note\n\"q # in quotes\"@x #c\n\t#only\n", errors);
  CHECK(lines == std::vector<std::string>{"2:a#b@contoso.com", "4:x", "5:\"q # in quotes\"@x"});
  CHECK(errors.empty());
}

TEST_CASE("text_input: a line with a NUL byte is an error, never read in part") {
  std::vector<ConfigError> errors;
  const auto lines = content_of(std::string("rules = x.rules\0junk\nother\n", 27), errors);
  CHECK(lines == std::vector<std::string>{"2:other"});
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].to_string() == "in:1: NUL byte in line");
}

TEST_CASE("text_input: fields split at white space outside quotes, lists at commas, semicolons and space") {
  CHECK(rewrite::split_fields("a  \"john doe\"@x\tb=\"c d\"") ==
        std::vector<std::string_view>{"a", "\"john doe\"@x", "b=\"c d\""});
  CHECK(rewrite::split_list(" From, To;Cc  Reply-To,,") == std::vector<std::string>{"From", "To", "Cc", "Reply-To"});
  CHECK(rewrite::trim_blanks(" \t x y \r\n") == "x y");
  CHECK(rewrite::printable(std::string("a\x01\x1b[31m\tb\x7f", 10)) == "a\\x01\\x1b[31m\tb\\x7f");
}

TEST_CASE("text_input: only a regular file of bounded size is read") {
  TempDir dir;
  ConfigError error;
  SECTION("a regular file is read byte for byte") {
    std::ofstream(dir.path / "f", std::ios::binary) << "a\r\nb";
    const auto text = rewrite::read_text_file((dir.path / "f").string(), "rules file", error);
    REQUIRE(text);
    CHECK(*text == "a\r\nb");
  }
  SECTION("a directory") {
    CHECK_FALSE(rewrite::read_text_file(dir.path.string(), "rules file", error));
    CHECK(error.to_string() == dir.path.string() + ": cannot read rules file: is a directory, not a regular file");
  }
  SECTION("a FIFO is refused at once, not waited on") {
    const std::string fifo = (dir.path / "fifo").string();
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    CHECK_FALSE(rewrite::read_text_file(fifo, "configuration file", error));
    CHECK(error.reason == "cannot read configuration file: is a FIFO, not a regular file");
  }
  SECTION("a device such as /dev/zero") {
    CHECK_FALSE(rewrite::read_text_file("/dev/zero", "recipient list", error));
    CHECK(error.reason == "cannot read recipient list: is a character device, not a regular file");
  }
  SECTION("a file over the cap") {
    std::ofstream(dir.path / "big", std::ios::binary) << std::string(101, 'x');
    CHECK_FALSE(rewrite::read_text_file((dir.path / "big").string(), "cases file", error, 100));
    CHECK(error.reason == "cannot read cases file: larger than 100 bytes");
    CHECK(rewrite::read_text_file((dir.path / "big").string(), "cases file", error, 101));
  }
  SECTION("a missing file") {
    CHECK_FALSE(rewrite::read_text_file((dir.path / "none").string(), "address list", error));
    CHECK(error.reason == "cannot open address list: No such file or directory");
  }
  SECTION("a name with control bytes is shown escaped") {
    CHECK_FALSE(rewrite::read_text_file((dir.path / "a\x1b[2Jb").string(), "rules file", error));
    CHECK(error.file == (dir.path / "a\\x1b[2Jb").string());
  }
}

}  // namespace
