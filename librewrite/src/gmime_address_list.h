// SPDX-License-Identifier: BSD-2-Clause
// gmime_address_list.h (private): the one place where librewrite calls GMime to parse an address list.
// Each call builds its own GMimeParserOptions with a warning callback, so no mutable GMime object is
// shared between threads, and every GMime warning is reported instead of being silently absorbed.
// Thread safety: safe to call concurrently once initialize_gmime() has run (it is called here too).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace rewrite::detail {

// One mailbox as GMime reports it. GMime strips a trailing dot and a source route, and decodes punycode
// domains in addr; idn_addr holds the ASCII (punycode) form.
struct ParsedMailbox {
  std::string addr;
  std::string idn_addr;
};

struct ParsedAddressList {
  std::vector<ParsedMailbox> mailboxes;  // every mailbox, groups flattened, in order
  std::string error;                     // non-empty when GMime warned or a bound was exceeded
};

// Returns address with its domain in the ASCII (punycode) form GMime gives it (IDNA, lower case, no
// trailing dot); the local part is kept as written. An address GMime cannot convert comes back as it is.
std::string idn_ascii_address(const std::string& address);

// True when domain (ASCII, no trailing dot) comes back unchanged, ASCII case aside, from GMime's reading
// of an address in it: every xn-- label is punycode that decodes to a name IDNA encodes the same way.
bool domain_round_trips(const std::string& domain);

// Parses unfolded (a header value without line breaks or NUL bytes). Reports an error when GMime issues
// any warning, when groups nest too deep, or when there are more than max_mailboxes mailboxes.
ParsedAddressList parse_address_list(const std::string& unfolded, std::size_t max_mailboxes);

}  // namespace rewrite::detail
