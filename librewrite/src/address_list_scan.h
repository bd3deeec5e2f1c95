// SPDX-License-Identifier: BSD-2-Clause
// address_list_scan.h (private): a byte-level scan of a raw address-list header value, independent of
// GMime. It checks that quotes, comments, angle and square brackets balance, and finds the addr-spec
// tokens (those with an '@' outside quoted strings and comments) with their exact byte spans, so that
// header_rewriter.cpp can replace an address in place and leave every other byte alone.
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace rewrite::detail {

// One addr-spec candidate: value.substr(begin, end - begin). Quoted local parts and domain literals are
// part of the token; a trailing dot ("a@b.com.") is too.
struct AddressToken {
  std::size_t begin = 0;
  std::size_t end = 0;
};

struct AddressListScan {
  std::vector<AddressToken> addresses;  // in text order; obsolete source routes ("<@r1,@r2:a@b>") skipped
  std::string error;                    // non-empty when the structure is broken; addresses is then partial
};

// Scans value (raw: folding and leading white space allowed). Stops at the first structural error.
AddressListScan scan_address_list(std::string_view value);

// Returns the positions in value where a fold may be placed: ',' and white space that are outside quoted
// strings, comments, angle brackets and domain literals. Requires a value that scanned without error.
std::vector<bool> fold_points(std::string_view value);

}  // namespace rewrite::detail
