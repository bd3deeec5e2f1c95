// SPDX-License-Identifier: BSD-2-Clause
// plain_address_list.h (private): recognises the plainest form of an address list, the one nearly every
// address field has ("Bob <bob@fabrikam.com>, carol@example.net"), in which GMime finds nothing to warn
// about and reads exactly the addr-specs the raw-text scan finds. header_rewriter.cpp does not ask GMime
// about such a value: GMime's answer is known in advance. Anything outside the form (comments, groups,
// encoded words, escapes, obsolete syntax, 8-bit bytes, punycode, trailing dots, empty list members) is
// not plain and goes through GMime. tests/unit/test_plain_address_list.cpp and the header_value fuzz
// target hold the recogniser to that promise against GMime itself.
// Thread safety: a pure function.
#pragma once

#include <string_view>

namespace rewrite::detail {

// True when unfolded (a value with its folding removed) is a comma-separated list of one or more
// members, each `local@domain` or `[display name] <local@domain>`, with white space (space, tab) only
// around the members, the commas and between the words of a display name, where:
// - local is dot-separated runs of letters, digits, '_', '+' and '-';
// - domain is dot-separated labels of letters, digits and '-', a label neither starting nor ending
//   with '-' nor having '-' as its third and fourth characters (as "xn--" has);
// - a display name is words of letters, digits, '_', '-' and '\'', or quoted strings of printable
//   ASCII without '"', '\\' or "=?".
bool is_plain_address_list(std::string_view unfolded);

}  // namespace rewrite::detail
