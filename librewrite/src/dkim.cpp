// SPDX-License-Identifier: BSD-2-Clause
// dkim.cpp: reading the h= tag of DKIM-Signature values (RFC 6376 3.2 tag-list, 3.5 h=).
#include "rewrite/dkim.h"

#include <string_view>

namespace rewrite {
namespace {

// True for folding white space: RFC 6376 allows it around tags, '=' and inside h= around ':'.
bool is_fws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Returns text without surrounding folding white space.
std::string_view trim_fws(std::string_view text) {
  while (!text.empty() && is_fws(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_fws(text.back())) text.remove_suffix(1);
  return text;
}

// Adds the field names of one h= value ("From : To:\r\n\tSubject") to out, lower-cased.
void add_field_names(std::string_view list, std::set<std::string>& out) {
  while (!list.empty()) {
    const std::size_t colon = list.find(':');
    const std::string_view name = trim_fws(list.substr(0, colon));
    if (!name.empty()) {
      std::string lowered(name);
      for (char& c : lowered) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      }
      out.insert(std::move(lowered));
    }
    if (colon == std::string_view::npos) break;
    list.remove_prefix(colon + 1);
  }
}

}  // namespace

std::set<std::string> dkim_covered_fields(const std::vector<std::string>& signature_values) {
  std::set<std::string> fields;
  for (const std::string& value : signature_values) {
    std::string_view rest(value);
    while (!rest.empty()) {
      const std::size_t semicolon = rest.find(';');
      const std::string_view tag = rest.substr(0, semicolon);
      const std::size_t equals = tag.find('=');
      // Tag names are case-sensitive (RFC 6376 3.2). A repeated h= makes the signature invalid; taking
      // every one protects more fields, never fewer.
      if (equals != std::string_view::npos && trim_fws(tag.substr(0, equals)) == "h") {
        add_field_names(tag.substr(equals + 1), fields);
      }
      if (semicolon == std::string_view::npos) break;
      rest.remove_prefix(semicolon + 1);
    }
  }
  return fields;
}

}  // namespace rewrite
