// SPDX-License-Identifier: BSD-2-Clause
// address_check.h: the one check of what a valid address is, used everywhere an address is looked up:
// rules when they load, the envelope sender and recipients, header addresses and rewrite-test's single
// addresses. What fails it is never rewritten, and says why.
//
// A domain is valid when it is at most 253 bytes of labels of 1 to 63 letters, digits and hyphens, no
// label starting or ending with a hyphen (as a resolver accepts them), one trailing dot allowed, and
// every xn-- label is punycode that decodes, by libidn2's IDNA2008 rules, to a name that encodes back to
// the same label. A local part is a dot-atom (UTF-8 letters allowed in envelope and header addresses,
// as SMTPUTF8 does) or a quoted string without control bytes. A domain literal ("[192.0.2.1]") is valid
// but no rule names one. Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace rewrite {

// True when domain (ASCII) holds a label starting with "xn--" (any case).
bool has_punycode_label(std::string_view domain);

// Returns why domain (ASCII) is not a valid domain name, or "" when it is.
std::string domain_problem(std::string_view domain);

// Returns why local is not a valid local part, or "" when it is; allow_utf8 admits UTF-8 in a dot-atom.
std::string local_part_problem(std::string_view local, bool allow_utf8);

// Returns why address (local@domain, split at the last '@') is not a valid addr-spec, or "" when it is.
// With allow_utf8 (envelope and header addresses) the local part may hold UTF-8 and the domain may be a
// UTF-8 name, checked in its ASCII (IDNA) form; without it (rules) both must be ASCII.
std::string address_problem(std::string_view address, bool allow_utf8);

// True exactly when address_problem(address, allow_utf8) is "". An ASCII dot-atom at an LDH domain
// with no xn-- label, the form of nearly every address, is answered in one pass without building a
// reason; any other address is given to address_problem().
bool is_valid_address(std::string_view address, bool allow_utf8);

}  // namespace rewrite
