// SPDX-License-Identifier: BSD-2-Clause
// text_util.h (private): ASCII case-insensitive comparison and hashing for domain and address keys, so
// that lookups compare without copying or lower-casing the input; and joining pieces of text in one
// allocation, for the strings built at every message (log lines, edits).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>

namespace rewrite::detail {

// Returns c lower-cased when it is an ASCII capital letter, c otherwise.
inline char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// True for an ASCII letter or digit (RFC 5321's Let-dig).
inline bool is_let_dig(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// True for RFC 5322 atext: the characters of an unquoted local part besides '.'.
inline bool is_atext(char c) {
  if (is_let_dig(c)) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

// True when text is an RFC 5322 dot-atom: runs of atext joined by single dots, none at either end.
inline bool is_dot_atom(std::string_view text) {
  bool after_dot = true;  // no leading dot
  for (const char c : text) {
    if (c == '.') {
      if (after_dot) return false;
      after_dot = true;
    } else if (is_atext(c)) {
      after_dot = false;
    } else {
      return false;
    }
  }
  return !after_dot;  // no trailing dot, and not empty
}

// True when a and b are equal ignoring ASCII case.
inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

// True when domain equals parent or is a subdomain of it (label boundary), ignoring ASCII case.
inline bool is_within_domain(std::string_view domain, std::string_view parent) {
  if (domain.size() == parent.size()) return iequals(domain, parent);
  if (domain.size() < parent.size() + 1) return false;
  const std::size_t cut = domain.size() - parent.size();
  return domain[cut - 1] == '.' && iequals(domain.substr(cut), parent);
}

// Returns word with each byte that is an ASCII capital letter lower-cased, eight bytes at once: per
// byte, the high bit of (low 7 bits + 0x3f) says >= 'A', of (low 7 bits + 0x25) says > 'Z'; neither sum
// carries into the next byte. Bytes with the high bit set are left alone.
inline std::uint64_t ascii_lower_word(std::uint64_t word) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  const std::uint64_t low7 = word & (0x7f * kOnes);
  const std::uint64_t at_least_a = low7 + (0x80 - 'A') * kOnes;
  const std::uint64_t above_z = low7 + (0x80 - 'Z' - 1) * kOnes;
  const std::uint64_t capital = at_least_a & ~above_z & ~word & (0x80 * kOnes);
  return word | (capital >> 2);  // 0x80 >> 2 == 0x20, the case bit
}

// Returns the 128-bit product of a and b folded to 64 bits (high half xor low half): a strong, cheap mix.
inline std::uint64_t fold_multiply(std::uint64_t a, std::uint64_t b) {
  __extension__ using Wide = unsigned __int128;
  const Wide product = static_cast<Wide>(a) * b;
  return static_cast<std::uint64_t>(product) ^ static_cast<std::uint64_t>(product >> 64);
}

// Returns a 64-bit hash of text that is equal for texts equal ignoring ASCII case. Reads eight bytes at a
// time (the last word zero-padded), lower-cases them at once and mixes each with a folded multiply; the
// length goes into the final mix, so a key and the same key with NUL bytes appended differ.
inline std::uint64_t hash_ignoring_case(std::string_view text) {
  constexpr std::uint64_t kWordKey = 0x9e3779b97f4a7c15ull;
  constexpr std::uint64_t kFinalKey = 0xc2b2ae3d27d4eb4full;
  std::uint64_t hash = 0x243f6a8885a308d3ull;
  const char* bytes = text.data();
  std::size_t left = text.size();
  for (; left >= 8; left -= 8, bytes += 8) {
    std::uint64_t word;
    std::memcpy(&word, bytes, 8);
    hash = fold_multiply(hash ^ ascii_lower_word(word), kWordKey);
  }
  if (left > 0) {
    std::uint64_t word = 0;
    std::memcpy(&word, bytes, left);
    hash = fold_multiply(hash ^ ascii_lower_word(word), kWordKey);
  }
  return fold_multiply(hash ^ text.size(), kFinalKey);
}

// Returns the pieces joined end to end, in one allocation.
inline std::string concat(std::initializer_list<std::string_view> pieces) {
  std::size_t size = 0;
  for (const std::string_view piece : pieces) size += piece.size();
  std::string out;
  out.reserve(size);
  for (const std::string_view piece : pieces) out.append(piece);
  return out;
}

}  // namespace rewrite::detail
