// SPDX-License-Identifier: BSD-2-Clause
// fuzz_checks.h: properties the fuzz targets check on every input, written from the specification
// (rewrite-rules(5), header_rewriter.h, message_file.h). A violated property aborts with a message, so
// libFuzzer records it as a crash like any sanitizer finding.
#pragma once

#include <string_view>

#include "rewrite/header_rewriter.h"
#include "rewrite/rule_table.h"

namespace rewrite_fuzz {

// Aborts with what when ok is false.
void require(bool ok, const char* what);

// Returns the seed rules of rewrite-rules(5) as a table (parsed once; aborts if they do not load).
const rewrite::RuleTable& seed_table();

// Checks lookups on a table: every rule is found by the addresses it names, in any case and with a
// trailing dot, outbound results keep the local part, and explain() and is_internal_domain() agree.
// Looks at most max_rules rules, so large inputs stay fast.
void check_table(const rewrite::RuleTable& table, std::size_t max_rules);

// Parses text as a rules file in format: a table that fails must say why with a line; one that loads
// must pass check_table for its first 64 rules.
void check_rules_text(std::string_view text, rewrite::RuleFormat format);

// Checks one header rewrite of value: an unchanged or malformed result carries no value; a changed one
// has changes, only folding line breaks, no NUL, lines under 998 bytes (an overlong line of the input
// that held no replacement is kept as it was), and rewriting it again is not malformed.
void check_header_rewrite(std::string_view value, const rewrite::RuleTable& table, rewrite::Direction direction);

// Checks the plain form's promise (plain_address_list.h): a value it calls plain, GMime parses without a
// warning into exactly the addr-specs the raw-text scan finds.
void check_plain_promise(std::string_view value);

// Checks that is_valid_address() answers as address_problem() does (address_check.h), for value as one
// address, both with and without UTF-8 allowed.
void check_address_validity(std::string_view value);

}  // namespace rewrite_fuzz
