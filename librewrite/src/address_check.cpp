// SPDX-License-Identifier: BSD-2-Clause
// address_check.cpp: what a valid domain, local part and addr-spec are (see address_check.h). libidn2
// decides what an xn-- label is; the rest is RFC 5321's LDH syntax and RFC 5322's dot-atom.
#include "rewrite/address_check.h"

#include <idn2.h>

#include <array>
#include <cstdlib>

#include "rewrite/address.h"
#include "rewrite/text_input.h"
#include "text_util.h"

namespace rewrite {
namespace {

// True when libidn2 decodes the ASCII domain to Unicode and encodes that back to the same name.
bool idna_round_trips(const std::string& domain) {
  char* unicode = nullptr;
  if (idn2_to_unicode_8z8z(domain.c_str(), &unicode, 0) != IDN2_OK) return false;
  std::uint8_t* back = nullptr;
  const int status = idn2_lookup_u8(reinterpret_cast<const std::uint8_t*>(unicode), &back, IDN2_NFC_INPUT);
  const bool same = status == IDN2_OK && detail::iequals(reinterpret_cast<const char*>(back), domain);
  idn2_free(unicode);
  idn2_free(back);
  return same;
}

// Byte classes for the one-pass check: atext (a dot-atom's bytes besides '.') and LDH (a label's bytes).
constexpr unsigned char kAtext = 1;
constexpr unsigned char kLdh = 2;
std::array<unsigned char, 256> byte_classes() {
  std::array<unsigned char, 256> classes{};
  for (int c = 0; c < 256; ++c) {
    const char byte = static_cast<char>(c);
    if (detail::is_atext(byte)) classes[c] |= kAtext;
    if (detail::is_let_dig(byte) || byte == '-') classes[c] |= kLdh;
  }
  return classes;
}
const std::array<unsigned char, 256> kByteClasses = byte_classes();

// Returns the class bits of c.
unsigned char class_of(char c) { return kByteClasses[static_cast<unsigned char>(c)]; }

// True when address is local@domain in the common form that address_problem() passes whatever
// allow_utf8 says: a local part of ASCII atext joined by single dots, and a domain of at most 253 bytes
// (one trailing dot allowed) of LDH labels of 1 to 63 bytes, none starting or ending with '-' and none
// starting with "xn--". False says only that the full check must decide.
bool is_common_valid_address(std::string_view address) {
  const std::size_t at = address.rfind('@');
  if (at == std::string_view::npos || at == 0) return false;
  bool after_dot = true;  // no leading dot, no two in a row, no trailing one
  for (std::size_t i = 0; i < at; ++i) {
    const char c = address[i];
    if (c == '.') {
      if (after_dot) return false;
      after_dot = true;
    } else if ((class_of(c) & kAtext) != 0) {
      after_dot = false;
    } else {
      return false;
    }
  }
  if (after_dot) return false;
  std::string_view domain = address.substr(at + 1);
  if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
  if (domain.empty() || domain.size() > 253) return false;
  std::size_t label_start = 0;
  for (std::size_t i = 0; i <= domain.size(); ++i) {
    if (i < domain.size() && domain[i] != '.') {
      if ((class_of(domain[i]) & kLdh) == 0) return false;
      continue;
    }
    const std::size_t length = i - label_start;
    if (length == 0 || length > 63 || domain[label_start] == '-' || domain[i - 1] == '-') return false;
    if (length >= 4 && detail::ascii_lower(domain[label_start]) == 'x' &&
        detail::ascii_lower(domain[label_start + 1]) == 'n' && domain[label_start + 2] == '-' &&
        domain[label_start + 3] == '-') {
      return false;
    }
    label_start = i + 1;
  }
  return true;
}

// True for a byte of a dot-atom: atext, or with allow_utf8 any byte of a UTF-8 sequence.
bool is_atom_byte(char c, bool allow_utf8) {
  return detail::is_atext(c) || (allow_utf8 && static_cast<unsigned char>(c) >= 0x80);
}

}  // namespace

bool has_punycode_label(std::string_view domain) {
  for (std::size_t start = 0; start < domain.size();) {
    if (domain.size() - start >= 4 && detail::iequals(domain.substr(start, 4), "xn--")) return true;
    const std::size_t dot = domain.find('.', start);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return false;
}

std::string domain_problem(std::string_view text) {
  if (!text.empty() && text.back() == '.') text.remove_suffix(1);
  if (text.empty()) return "empty domain";
  const auto shown = [&] { return printable(text); };  // only on the way out: the valid path allocates nothing
  if (text.size() > 253) return "domain longer than 253 characters";
  for (std::size_t start = 0; start <= text.size();) {
    std::size_t dot = text.find('.', start);
    if (dot == std::string_view::npos) dot = text.size();
    const std::string_view label = text.substr(start, dot - start);
    if (label.empty()) return "empty label in domain '" + shown() + "'";
    if (label.size() > 63) return "label longer than 63 characters in domain '" + shown() + "'";
    for (const char c : label) {
      if (!detail::is_let_dig(c) && c != '-') {
        return "invalid character '" + printable(std::string(1, c)) + "' in domain '" + shown() + "'";
      }
    }
    if (label.front() == '-' || label.back() == '-') return "label starting or ending with '-' in domain '" + shown() + "'";
    start = dot + 1;
  }
  // An xn-- label must be the ASCII form of an internationalised name.
  if (has_punycode_label(text) && !idna_round_trips(std::string(text))) {
    return "invalid punycode (xn--) label in domain '" + shown() + "'";
  }
  return "";
}

std::string local_part_problem(std::string_view local, bool allow_utf8) {
  if (local.empty()) return "empty local part";
  if (local.size() >= 2 && local.front() == '"' && local.back() == '"') {
    for (std::size_t i = 1; i + 1 < local.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(local[i]);
      if (c == '\\') {
        if (++i + 1 >= local.size()) return "a backslash ends the quoted local part";
        continue;
      }
      if (c == '"') return "a quote inside the quoted local part";
      if (c < 0x20 || c == 0x7f) return "control byte in the local part";
      if (c >= 0x80 && !allow_utf8) return "non-ASCII local part";
    }
    return "";
  }
  bool after_dot = true;
  for (const char c : local) {
    if (c == '.') {
      if (after_dot) return "empty part between dots in the local part";
      after_dot = true;
    } else if (is_atom_byte(c, allow_utf8)) {
      after_dot = false;
    } else if (static_cast<unsigned char>(c) >= 0x80) {
      return "non-ASCII local part";
    } else {
      return "invalid character '" + printable(std::string(1, c)) +
             "' in the local part (letters, digits and !#$%&'*+-/=?^_`{|}~ joined by single dots, or a quoted string)";
    }
  }
  if (after_dot) return "the local part ends with a dot";
  return "";
}

std::string address_problem(std::string_view address, bool allow_utf8) {
  const std::size_t at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size()) return "not local@domain";
  if (std::string problem = local_part_problem(address.substr(0, at), allow_utf8); !problem.empty()) return problem;
  const std::string_view domain = address.substr(at + 1);
  if (domain.front() == '[') {
    if (domain.back() != ']') return "unclosed domain literal";
    for (const char c : domain) {
      if (static_cast<unsigned char>(c) < 0x21 || c == 0x7f) return "control byte or space in the domain literal";
    }
    return "";
  }
  if (is_ascii(domain)) return domain_problem(domain);
  if (!allow_utf8) return "non-ASCII domain";
  const std::string ascii = with_ascii_domain(address);
  if (ascii.empty()) return "the UTF-8 domain has no IDNA (xn--) form";
  return domain_problem(std::string_view(ascii).substr(ascii.rfind('@') + 1));
}

bool is_valid_address(std::string_view address, bool allow_utf8) {
  return is_common_valid_address(address) || address_problem(address, allow_utf8).empty();
}

}  // namespace rewrite
