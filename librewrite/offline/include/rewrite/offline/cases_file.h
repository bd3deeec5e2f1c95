// SPDX-License-Identifier: BSD-2-Clause
// cases_file.h: a file of expected rewriting cases, one per line (`outbound|inbound INPUT EXPECTED`),
// and the runner that checks a rule table against it, so administrators can test their rules in CI.
// Thread safety: pure functions; the table is only read.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "rewrite/config_error.h"
#include "rewrite/rule_table.h"

namespace rewrite {

struct Case {
  int line = 0;
  Direction direction = Direction::outbound;
  std::string input;     // addr-spec, angle brackets dropped; "" for the null sender <>
  std::string expected;  // addr-spec; equal to input when the line says `-` (unchanged)
};

struct CasesFile {
  std::string source_name;
  std::vector<Case> cases;
  std::vector<ConfigError> errors;  // lines that could not be read; each counts as a failure
};

// Parses cases: `#` starts a comment (whole line, or after white space), blank lines are ignored,
// every other line is three words: a direction (`outbound` or `inbound`, any case), the input address
// and the expected address, `-` meaning "unchanged". Anything else is an error naming source:line.
CasesFile parse_cases(std::string_view text, const std::string& source_name);

struct CaseFailure {
  int line = 0;
  std::string message;  // "FILE:LINE: ..." ready to print
};

struct CasesReport {
  std::size_t passed = 0;
  std::size_t failed = 0;                // mismatches plus unreadable lines
  std::vector<CaseFailure> failures;     // in line order

  bool ok() const { return failed == 0; }
  // Returns "N passed, M failed".
  std::string summary() const;
};

// Returns true when actual is what expected asks for: local parts compared exactly (rewriting keeps
// them byte for byte), domains compared ignoring case and a trailing dot.
bool address_matches(std::string_view actual, std::string_view expected);

// Runs every case against table. A case passes when the address the table produces (the input
// itself when no rule applies) matches the expected address.
CasesReport run_cases(const RuleTable& table, const CasesFile& cases);

}  // namespace rewrite
