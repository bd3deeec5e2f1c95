// SPDX-License-Identifier: BSD-2-Clause
// cases_file.cpp: parsing and running files of expected rewriting cases (see cases_file.h).
#include "rewrite/offline/cases_file.h"

#include <algorithm>

#include "rewrite/address.h"
#include "rewrite/text_input.h"

namespace rewrite {
namespace {

// Returns the address as given in a case, for messages: "<>" for the null sender.
std::string shown(const std::string& address) { return address.empty() ? "<>" : address; }

}  // namespace

CasesFile parse_cases(std::string_view text, const std::string& source_name) {
  CasesFile file;
  file.source_name = source_name;
  TextLines lines(text, source_name);
  std::string_view line;
  while (lines.next(line, file.errors)) {
    const int line_number = lines.number();
    const std::vector<std::string_view> words = split_fields(line);
    if (words.size() != 3) {
      file.errors.push_back(ConfigError{source_name, line_number,
                                        "expected `outbound|inbound INPUT EXPECTED`, found " +
                                            std::to_string(words.size()) + " words"});
      continue;
    }
    Case c;
    c.line = line_number;
    std::string direction(words[0]);
    std::transform(direction.begin(), direction.end(), direction.begin(),
                   [](char ch) { return ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch + 32) : ch; });
    if (direction == "outbound") {
      c.direction = Direction::outbound;
    } else if (direction == "inbound") {
      c.direction = Direction::inbound;
    } else {
      file.errors.push_back(ConfigError{source_name, line_number,
                                        "direction must be outbound or inbound, not " +
                                            std::string(words[0])});
      continue;
    }
    c.input = normalize_envelope_address(words[1]);
    c.expected = words[2] == "-" ? c.input : normalize_envelope_address(words[2]);
    file.cases.push_back(std::move(c));
  }
  return file;
}

std::string CasesReport::summary() const {
  return std::to_string(passed) + " passed, " + std::to_string(failed) + " failed";
}

bool address_matches(std::string_view actual, std::string_view expected) {
  const auto a = split_address(actual);
  const auto e = split_address(expected);
  if (!a || !e) {
    return actual == expected;
  }
  return a->local == e->local && normalize_domain(a->domain) == normalize_domain(e->domain);
}

CasesReport run_cases(const RuleTable& table, const CasesFile& cases) {
  CasesReport report;
  for (const ConfigError& error : cases.errors) {
    report.failures.push_back(CaseFailure{error.line, error.to_string()});
    ++report.failed;
  }
  for (const Case& c : cases.cases) {
    const Lookup lookup = table.lookup(c.input, c.direction);
    const std::string actual = lookup.rewritten ? lookup.address : c.input;
    if (address_matches(actual, c.expected)) {
      ++report.passed;
      continue;
    }
    std::string message = cases.source_name + ":" + std::to_string(c.line) + ": " +
                          to_string(c.direction) + " " + shown(c.input) + ": expected " +
                          shown(c.expected) + ", got " + shown(actual);
    if (lookup.rewritten && lookup.rule != nullptr) {
      message += " (rule " + lookup.rule->name() + ", " + table.location_of(*lookup.rule) + ")";
    } else {
      message += " (no rule applies)";
    }
    report.failures.push_back(CaseFailure{c.line, std::move(message)});
    ++report.failed;
  }
  std::stable_sort(report.failures.begin(), report.failures.end(),
                   [](const CaseFailure& a, const CaseFailure& b) { return a.line < b.line; });
  return report;
}

}  // namespace rewrite
