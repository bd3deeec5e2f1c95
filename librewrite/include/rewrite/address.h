// SPDX-License-Identifier: BSD-2-Clause
// address.h: small helpers for RFC 5321/5322 addr-specs (local@domain) as they appear in the envelope
// and in header fields. Parsing of whole header values is done with GMime in header_rewriter.cpp; these
// helpers only split and normalise single addresses. Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rewrite {

struct AddressParts {
  std::string local;   // exactly as written (quotes kept, case kept)
  std::string domain;  // exactly as written (case kept, trailing dot kept)
};

// Splits "local@domain" at the last '@'. Returns nullopt when there is no '@', the local part or the
// domain is empty. Does not validate further.
std::optional<AddressParts> split_address(std::string_view address);

// Returns local (a local part as written) in the form it is compared in. RFC 5322 3.2.4 makes a quoted
// string the same as the dot-atom it holds when its content could be written as one, and a quoted-pair
// the same as the character it quotes: "adam" is adam, "ad\am" is adam, and "john\ doe" is "john doe".
// A quoted local part comes back as that dot-atom, or else as the canonical quoted string (quoted-pairs
// decoded, a backslash kept only before '"' and '\'); any other comes back as written. Case is kept:
// compare ignoring it. The result views local, or buffer when it had to be rewritten.
std::string_view comparable_local_part(std::string_view local, std::string& buffer);

// Returns address (local@domain, split at the last '@') with its local part as comparable_local_part()
// makes it and the domain as written. An address whose first byte is not '"' is returned as it is,
// without looking further; otherwise the result views buffer when the local part changed.
std::string_view comparable_address(std::string_view address, std::string& buffer);

// Lower-cases ASCII letters and drops one trailing '.', for comparing domains. Non-ASCII bytes are kept.
std::string normalize_domain(std::string_view domain);

// Returns text with ASCII capital letters lower-cased; other bytes are kept.
std::string lower_ascii(std::string_view text);

// True when a and b are equal ignoring ASCII case.
bool equals_ignoring_case(std::string_view a, std::string_view b);

// Returns true when every byte is 7-bit ASCII.
bool is_ascii(std::string_view text);

// Returns address (local@domain) with a UTF-8 domain in its ASCII (punycode, IDNA) form, the form rules
// are written in: "jörg@bücher.example" becomes "jörg@xn--bcher-kva.example"; the local part is kept.
// Returns "" when the domain is ASCII already or has no ASCII form (invalid UTF-8 or IDNA).
std::string with_ascii_domain(std::string_view address);

// Normalises an envelope address as an MTA hands it to a milter: strips surrounding white space and one
// pair of angle brackets; "<>", "" and "<>" with spaces all become "" (the null sender); an obsolete
// source route ("<@relay:a@b>") is dropped, as RFC 5321 says to ignore it.
std::string normalize_envelope_address(std::string_view raw);

}  // namespace rewrite
