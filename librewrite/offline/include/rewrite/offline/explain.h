// SPDX-License-Identifier: BSD-2-Clause
// explain.h: the offline tool's account of how the rule table decides one address: the candidates
// considered, the precedence that decided, exceptions that applied, or why nothing applies. It reads the
// same index as RuleTable::lookup() and reports lookup()'s result. Thread safety: as lookup().
#pragma once

#include <string>
#include <string_view>

#include "rewrite/rule_table.h"

namespace rewrite {

// Returns the account of table.lookup(address, direction), several lines, each ending in "\n".
std::string explain_lookup(const RuleTable& table, std::string_view address, Direction direction);

}  // namespace rewrite
