// SPDX-License-Identifier: BSD-2-Clause
// rule_csv_writer.h: a validated table written back as an Exchange CSV export (the csv format of
// rewrite-rules(5)), which RuleTable::load reads into the same rules: what the daemon keeps as the last
// good snapshot of rules read from a directory. The Identity column names each rule's source (its DN);
// like any column the reader does not know, it is not read back.
#pragma once

#include <string>

#include "rewrite/rule_table.h"

namespace rewrite {

// The table as CSV text: a header line, then one record per rule in table order, every field quoted.
std::string rules_as_csv(const RuleTable& table);

}  // namespace rewrite
