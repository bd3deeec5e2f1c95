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

// One addr-spec candidate. Usually one run of text, value.substr(begin, end - begin); RFC 5322 also
// allows comments and folding white space around the '@' ("chris(desk)@sales.contoso.com",
// "c@(host)public.example", "a @ b"), and then the local part and the domain are two runs with that CFWS
// between them. Quoted local parts and domain literals are part of the token; a trailing dot
// ("a@b.com.") is too.
struct AddressToken {
  std::size_t begin = 0;         // start of the local part
  std::size_t end = 0;           // end of the domain
  std::size_t local_end = 0;     // end of the local part's text (the '@' when contiguous)
  std::size_t domain_begin = 0;  // start of the domain's text (just after the '@' when contiguous)

  // True when comments or white space stand between the local part, the '@' and the domain.
  bool split() const { return local_end + 1 != domain_begin; }
  // The addr-spec without that CFWS: local@domain.
  std::string text(std::string_view value) const;
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
