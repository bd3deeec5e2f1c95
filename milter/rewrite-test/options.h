// SPDX-License-Identifier: BSD-2-Clause
// options.h: the command line of rewrite-test(1), parsed with Boost.Program_options into one plain
// struct, and the mode it asks for. Thread safety: plain values and pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config.h"
#include "exit_status.h"

namespace rewrite::tool {

// Exit codes, as documented in rewrite-test(1): the daemon's (exit_status.h), and one of the tool's own.
using milter::kExitConfig;
using milter::kExitOk;
using milter::kExitSoftware;
using milter::kExitUsage;
inline constexpr int kExitFindings = 1;  // a case mismatch or an address-list finding

enum class Mode { help, version, address, message, cases, check, compare };

struct Options {
  Mode mode = Mode::help;
  std::string rules_format = "detect";          // detect, native or csv
  std::vector<std::string> outbound_addresses;  // address mode
  std::vector<std::string> inbound_addresses;   // address mode
  std::string message_file;                     // message mode; "-" is standard input
  bool inbound_message = false;                 // message and compare modes: --inbound given
  std::string mail_from;                        // message and compare modes; "" is the null sender
  std::vector<std::string> recipients;          // message and compare modes
  bool diff = false;
  std::string cases_file;
  std::string address_list;
  std::string compare_rules;                    // compare mode: the new rules file
  std::vector<std::string> compare_addresses;   // compare mode: address lists
  std::vector<std::string> compare_messages;    // compare mode: message files or directories of them
  // A rewrite-milter.conf(5) file ("" when none), and the daemon's settings given as options (rules,
  // header lists, signed-headers, the shared address space), which win over the file's.
  std::string config_file;
  milter::CommandLineSettings settings;
  std::string help_text;
};

struct ParsedOptions {
  Options options;
  std::string error;  // usage error; empty when the command line is fine

  bool ok() const { return error.empty(); }
};

// Parses argv (argv[0] is the program name). Never throws; a usage problem is returned in error.
ParsedOptions parse_options(int argc, const char* const argv[]);

}  // namespace rewrite::tool
