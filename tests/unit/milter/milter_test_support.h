// SPDX-License-Identifier: BSD-2-Clause
// milter_test_support.h: helpers for the milter session tests: a fake MTA that records the change
// requests (and can refuse one), a rule table from text, and temporary files.
#pragma once

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "mta_actions.h"
#include "rewrite/rule_table.h"

namespace rewrite::milter::test {

// Records each smfi_* request as one readable line; refuses the request numbered fail_at (0-based).
class FakeMta : public MtaActions {
 public:
  std::vector<std::string> calls;
  int fail_at = -1;

  bool change_sender(const std::string& address, const std::string& args) override {
    return record("chgfrom " + address + (args.empty() ? "" : " " + args));
  }
  bool delete_recipient(const std::string& address) override { return record("delrcpt " + address); }
  bool add_recipient(const std::string& address, const std::string& args) override {
    return record("addrcpt " + address + (args.empty() ? "" : " " + args));
  }
  bool change_header(const std::string& name, int index, const std::string& value) override {
    return record("chgheader " + name + " " + std::to_string(index) + " [" + value + "]");
  }
  bool add_header(const std::string& name, const std::string& value) override {
    return record("addheader " + name + " [" + value + "]");
  }

 private:
  bool record(const std::string& call) {
    calls.push_back(call);
    return static_cast<int>(calls.size()) - 1 != fail_at;
  }
};

// The rules used by the session tests (seed examples).
inline const char* kRules =
    "*.contoso.com            contoso.com   name=flatten\n"
    "japan.sales.contoso.com  contoso.jp    name=japan\n"
    "fourthcoffee.com         contoso.com   name=merger\n"
    "support@contoso.com      support@wingtiptoys.com   name=partner\n";

// A file in a fresh temporary directory, removed with the object.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& content) {
    std::string pattern = (std::filesystem::temp_directory_path() / "rewrite-milter-test-XXXXXX").string();
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    REQUIRE(mkdtemp(buffer.data()) != nullptr);
    dir_ = buffer.data();
    path_ = (std::filesystem::path(dir_) / name).string();
    write(content);
  }
  ~TempFile() { std::filesystem::remove_all(dir_); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  // Replaces the file's content.
  void write(const std::string& content) const {
    std::ofstream out(path_, std::ios::trunc);
    out << content;
  }
  const std::string& path() const { return path_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::string path_;
};

}  // namespace rewrite::milter::test
