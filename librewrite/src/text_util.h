// text_util.h (private): ASCII case-insensitive comparison and hashing for domain and address keys, so
// that lookups compare without copying or lower-casing the input, and white space trimming.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rewrite::detail {

// Returns c lower-cased when it is an ASCII capital letter, c otherwise.
inline char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Returns text without leading and trailing spaces, tabs and CR/LF.
inline std::string_view trim(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
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

// Returns a 64-bit hash of text that is equal for texts equal ignoring ASCII case: FNV-1a over the
// lower-cased bytes.
inline std::uint64_t hash_ignoring_case(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(ascii_lower(c));
    hash *= 1099511628211ull;
  }
  return hash;
}

}  // namespace rewrite::detail
