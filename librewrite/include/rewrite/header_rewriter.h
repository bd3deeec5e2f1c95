// SPDX-License-Identifier: BSD-2-Clause
// header_rewriter.h: rewrites the addresses in one address-list header value (From, To, Cc, ...). GMime
// parses the value; only the addresses that change are replaced, so the other addresses, display names
// (RFC 2047 encoded words included), comments, groups, folding and leading white space stay as they are.
// A value GMime warns about, or cannot account for exactly, is left untouched and reported as malformed.
// Thread safety: safe to call concurrently; shares no GMime object between calls. Requires
// initialize_gmime() to have been called once before.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rewrite/gmime_setup.h"
#include "rewrite/rule_table.h"
#include "rewrite/types.h"

namespace rewrite {

struct HeaderRewrite {
  enum class Status {
    unchanged,  // no address in the value needs rewriting; value is not set
    changed,    // value holds the new header value
    malformed,  // the value could not be parsed safely; left untouched, reason says why
  };
  Status status = Status::unchanged;
  std::string value;                   // new value when changed (same leading white space, folded)
  std::vector<AddressChange> changes;  // one per rewritten address occurrence
  std::string reason;                  // when malformed
  // When changed: the value holds bytes above 0x7f (UTF-8 under RFC 6532, or raw Latin-1 that RFC 5322
  // does not allow) outside the addresses; they are kept byte for byte, and the caller logs it.
  bool eight_bit = false;
};

// Rewrites the addresses in value (a header value as the MTA hands it, possibly folded with LF or CRLF and
// with leading white space) with table in the given direction. Only the addr-specs that change are
// replaced, in place; a trailing dot ("a@b.com.") is part of the replaced addr-spec; a result that differs
// only in ASCII case is no change. A UTF-8 domain is also looked up in its punycode form. A line holding
// a replacement is folded with "\n\t" after a comma or at white space (outside quotes, comments and angle
// brackets) so that it stays under 998 bytes (the first line under 918, leaving room for the field name).
// Returns unchanged for an empty value or one with no '@' outside quoted strings and comments. Returns
// malformed (value untouched, reason set) when: the value is over 64 KiB or has more than 1000
// addresses; it holds a NUL byte or a line break that is not folding; quotes, comments, angle or square
// brackets do not balance; GMime warns (GMime 3.2.13 warns, for example, about "A <x> <y>", "a; b", an
// 8-bit local part or domain, an invalid encoded word); the addr-specs found in the text are not, one for
// one and in order, the mailboxes GMime reported (this catches addresses GMime drops silently and
// "a @ b" spacing); or a long line has nowhere to fold.
HeaderRewrite rewrite_header_value(std::string_view value, const RuleTable& table, Direction direction);

}  // namespace rewrite
