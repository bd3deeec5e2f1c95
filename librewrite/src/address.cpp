// SPDX-License-Identifier: BSD-2-Clause
// address.cpp: splitting and normalising single addr-specs (see address.h).
#include "rewrite/address.h"

#include "gmime_address_list.h"
#include "text_util.h"

namespace rewrite {

std::optional<AddressParts> split_address(std::string_view address) {
  const std::size_t at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size()) {
    return std::nullopt;
  }
  return AddressParts{std::string(address.substr(0, at)), std::string(address.substr(at + 1))};
}

std::string_view comparable_local_part(std::string_view local, std::string& buffer) {
  if (local.size() < 2 || local.front() != '"' || local.back() != '"') return local;
  const std::string_view content = local.substr(1, local.size() - 2);
  if (content.find('\\') == std::string_view::npos) return detail::is_dot_atom(content) ? content : local;
  std::string decoded;
  for (std::size_t i = 0; i < content.size(); ++i) {
    if (content[i] == '\\' && ++i == content.size()) return local;  // a lone backslash: not a quoted-pair
    decoded += content[i];
  }
  if (detail::is_dot_atom(decoded)) {
    buffer = std::move(decoded);
    return buffer;
  }
  // Not a dot-atom: the canonical quoted string, with a backslash only where one is needed.
  buffer = "\"";
  for (const char c : decoded) {
    if (c == '"' || c == '\\') buffer += '\\';
    buffer += c;
  }
  buffer += '"';
  return buffer;
}

std::string_view comparable_address(std::string_view address, std::string& buffer) {
  if (address.empty() || address.front() != '"') return address;  // the common case: nothing to undo
  const std::size_t at = address.rfind('@');
  if (at == std::string_view::npos) return address;
  std::string decoded;
  const std::string_view local = comparable_local_part(address.substr(0, at), decoded);
  if (local.size() == at) return address;  // kept as written
  buffer.assign(local.data(), local.size());
  buffer.append(address.substr(at));
  return buffer;
}

std::string normalize_domain(std::string_view domain) {
  if (!domain.empty() && domain.back() == '.') {
    domain.remove_suffix(1);
  }
  return lower_ascii(domain);
}

std::string lower_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = detail::ascii_lower(c);
  return out;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) { return detail::iequals(a, b); }

bool is_ascii(std::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      return false;
    }
  }
  return true;
}

std::string with_ascii_domain(std::string_view address) {
  const std::size_t at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || is_ascii(address.substr(at + 1)) ||
      address.find('\0') != std::string_view::npos) {
    return "";
  }
  const std::string ascii = detail::idn_ascii_address(std::string(address));
  const std::size_t ascii_at = ascii.rfind('@');
  if (ascii_at == std::string::npos || !is_ascii(std::string_view(ascii).substr(ascii_at + 1))) return "";
  return ascii;
}

std::string normalize_envelope_address(std::string_view raw) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!raw.empty() && is_space(raw.front())) {
    raw.remove_prefix(1);
  }
  while (!raw.empty() && is_space(raw.back())) {
    raw.remove_suffix(1);
  }
  if (raw.size() >= 2 && raw.front() == '<' && raw.back() == '>') {
    raw = raw.substr(1, raw.size() - 2);
    while (!raw.empty() && is_space(raw.front())) {
      raw.remove_prefix(1);
    }
    while (!raw.empty() && is_space(raw.back())) {
      raw.remove_suffix(1);
    }
  }
  if (raw == "\"\"") {
    raw = {};  // Postfix's non-SMTP emulation hands the null sender as ""
  }
  // An obsolete source route ("@relay1,@relay2:user@domain", RFC 5321 4.1.2 and C) names hops, not the
  // mailbox, and RFC 5321 says to ignore it: the address is what follows the ':'.
  if (!raw.empty() && raw.front() == '@') {
    if (const std::size_t colon = raw.find(':'); colon != std::string_view::npos) raw.remove_prefix(colon + 1);
  }
  return std::string(raw);
}

}  // namespace rewrite
