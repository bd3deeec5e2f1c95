// SPDX-License-Identifier: BSD-2-Clause
// shared_space_cases.cpp: the shared address space's account of a recipient and its cases (see
// shared_space_cases.h).
#include "rewrite/offline/shared_space_cases.h"

#include <algorithm>

#include "rewrite/shared_space_plan.h"

namespace rewrite {

std::string describe_recipient(const SharedSpace& space, const RuleTable& table, Direction direction,
                               std::string_view recipient) {
  const SharedSpace::Decision decision = decide_recipient(space, table, direction, recipient);
  const std::string& domain = space.settings().shared_domain;
  switch (decision.verdict) {
    case SharedSpace::Verdict::not_shared:
      if (direction == Direction::inbound && table.lookup(recipient, direction).rewritten &&
          space.decide(recipient).verdict != SharedSpace::Verdict::not_shared) {
        return "not applied: a bidirectional rule rewrites this recipient first";
      }
      return "";
    case SharedSpace::Verdict::local: return "local mailbox";
    case SharedSpace::Verdict::forward:
      return "forward -> " + decision.address + (decision.unlisted ? " (not a local mailbox, forward-unknown)"
                                                                   : " (cloud user)");
    case SharedSpace::Verdict::unknown: return "refused 550 5.1.1 (unknown in shared domain " + domain + ")";
    case SharedSpace::Verdict::pass: return "pass unchanged (unknown in " + domain + ", not authoritative)";
  }
  return "";
}

CasesReport run_cases(const RuleTable& table, const SharedSpace* space, const CasesFile& cases) {
  // Cases the shared space decides are checked here; all others go to the rules' own runner.
  if (space == nullptr) return run_cases(table, cases);
  CasesFile by_rules{cases.source_name, {}, cases.errors};
  CasesReport shared;
  for (const Case& c : cases.cases) {
    SharedSpace::Decision decision;
    if (c.direction == Direction::inbound) decision = decide_recipient(*space, table, c.direction, c.input);
    std::string actual;
    if (decision.verdict == SharedSpace::Verdict::forward) actual = decision.address;
    else if (decision.verdict == SharedSpace::Verdict::unknown) actual = kRefusedCase;
    else {
      by_rules.cases.push_back(c);
      continue;
    }
    if (address_matches(actual, c.expected)) {
      ++shared.passed;
      continue;
    }
    ++shared.failed;
    shared.failures.push_back({c.line, cases.source_name + ":" + std::to_string(c.line) + ": inbound " + c.input +
                                           ": expected " + c.expected + ", got " + actual + " (shared space " +
                                           space->settings().shared_domain + ")"});
  }
  CasesReport report = run_cases(table, by_rules);
  report.passed += shared.passed;
  report.failed += shared.failed;
  for (CaseFailure& failure : shared.failures) report.failures.push_back(std::move(failure));
  std::stable_sort(report.failures.begin(), report.failures.end(),
                   [](const CaseFailure& a, const CaseFailure& b) { return a.line < b.line; });
  return report;
}

}  // namespace rewrite
