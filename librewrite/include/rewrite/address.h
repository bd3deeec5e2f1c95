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

// Lower-cases ASCII letters and drops one trailing '.', for comparing domains. Non-ASCII bytes are kept.
std::string normalize_domain(std::string_view domain);

// Returns text with ASCII capital letters lower-cased; other bytes are kept.
std::string lower_ascii(std::string_view text);

// True when a and b are equal ignoring ASCII case.
bool equals_ignoring_case(std::string_view a, std::string_view b);

// Returns true when every byte is 7-bit ASCII.
bool is_ascii(std::string_view text);

// Normalises an envelope address as an MTA hands it to a milter: strips surrounding white space and one
// pair of angle brackets; "<>", "" and "<>" with spaces all become "" (the null sender).
std::string normalize_envelope_address(std::string_view raw);

}  // namespace rewrite
