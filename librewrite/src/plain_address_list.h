// SPDX-License-Identifier: BSD-2-Clause
// plain_address_list.h (private): recognises the plainest form of an address list, the one nearly every
// To and Cc field has ("Bob <bob@fabrikam.com>, carol@example.net"), in which GMime can find nothing to
// warn about and reads exactly the addr-specs the raw-text scan finds. header_rewriter.cpp uses it to
// leave GMime out of a field whose addresses no rule rewrites: for such a field GMime's only part would
// be a verdict of "malformed", and for a plain field that verdict is known in advance to be "no".
// Anything outside the form (comments, groups, encoded words, escapes, obsolete syntax, 8-bit bytes,
// trailing dots, empty list members) is not plain and goes through GMime as before.
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
