// SPDX-License-Identifier: BSD-2-Clause
// cases_mode.cpp: `rewrite-test --cases FILE`: runs an administrator's expected cases against the
// rules, for use in their own CI.
#include <ostream>

#include "modes.h"
#include "rewrite/offline/cases_file.h"
#include "rewrite/offline/shared_space_cases.h"

namespace rewrite::tool {

int run_cases_mode(const Options& options, const RuleTable& table, const SharedSpace* space,
                   std::ostream& out, std::ostream& err) {
  const Result<std::string> text = read_input(options.cases_file, "cases file");
  if (!text) {
    err << "rewrite-test: " << text.error().message() << '\n';
    return kExitConfig;  // an input file refused, as a rules file would be
  }
  const CasesFile cases = parse_cases(*text, display_name(options.cases_file));
  const CasesReport report = run_cases(table, space, cases);
  for (const CaseFailure& failure : report.failures) {
    out << failure.message << '\n';
  }
  out << report.summary() << '\n';
  return report.ok() ? kExitOk : kExitFindings;
}

}  // namespace rewrite::tool
