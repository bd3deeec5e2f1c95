// SPDX-License-Identifier: BSD-2-Clause
// shared_space_cases.h: the shared address space in rewrite-test: a one-line account of the decision for
// a recipient, and cases files run with the shared space (an inbound case may expect the forwarded
// address or `refused`). Thread safety: pure functions; table and space are only read.
#pragma once

#include <string>
#include <string_view>

#include "rewrite/offline/cases_file.h"
#include "rewrite/rule_table.h"
#include "rewrite/shared_space.h"

namespace rewrite {

// The expected value of a case whose recipient is refused at RCPT (550 5.1.1).
inline constexpr const char* kRefusedCase = "refused";

// Returns the shared space's account for one recipient, e.g. "forward -> a@live.contoso.edu (cloud
// user)", "refused 550 5.1.1 (unknown in shared domain contoso.edu)", "local mailbox"; "" when the
// recipient is outside the shared domain. Rule precedence as in decide_recipient().
std::string describe_recipient(const SharedSpace& space, const RuleTable& table, Direction direction,
                               std::string_view recipient);

// Runs cases like run_cases(table, cases), except that inbound cases the shared space decides (forward
// or refuse) expect the forwarded address or `refused`. With space null it is run_cases(table, cases).
CasesReport run_cases(const RuleTable& table, const SharedSpace* space, const CasesFile& cases);

}  // namespace rewrite
