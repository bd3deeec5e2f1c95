// SPDX-License-Identifier: BSD-2-Clause
// rule_parser.h (private): turns the text of a rules file, native or Exchange CSV, into Rule values,
// checking each rule on its own. Checks that need the whole table (duplicates, unique bidirectional
// external addresses) are made while the index is built, in rule_table.cpp.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rewrite/config_error.h"
#include "rewrite/rule.h"
#include "rewrite/rule_table.h"
#include "text_arena.h"

namespace rewrite::detail {

// The rules read for one table, and the arena their text is kept in (moved into the table with them).
struct RuleStore {
  std::vector<Rule> rules;
  TextArena text;
};

// Parses text in the given format (detect: CSV when the first non-comment line is Exchange's CSV header).
// Rules that parse cleanly are appended to store; every problem is appended to errors with its line.
void parse_rules_text(std::string_view text, const std::string& source_name, RuleFormat format, RuleStore& store,
                      std::vector<ConfigError>& errors);

// Checks one rule given as fields (RuleFields: a directory entry) exactly as a native line is checked,
// appending it to store with source index source_index, or its problems, named by entry.source, to errors.
void parse_rule_fields(const RuleFields& entry, std::uint32_t source_index, RuleStore& store,
                       std::vector<ConfigError>& errors);

}  // namespace rewrite::detail
