// SPDX-License-Identifier: BSD-2-Clause
// plain_address_list.cpp: the plain address-list recogniser (see plain_address_list.h).
#include "plain_address_list.h"

#include <cstddef>

#include "text_util.h"

namespace rewrite::detail {
namespace {

bool is_local_char(char c) { return is_let_dig(c) || c == '_' || c == '+' || c == '-'; }
bool is_name_char(char c) { return is_let_dig(c) || c == '_' || c == '-' || c == '\''; }
bool is_space(char c) { return c == ' ' || c == '\t'; }

// A cursor over the value; each read_* consumes what it recognised and returns false, consuming
// anything, when the text there is not of the plain form.
struct Reader {
  std::string_view text;
  std::size_t at = 0;

  bool done() const { return at == text.size(); }
  char peek() const { return done() ? '\0' : text[at]; }
  void skip_space() {
    while (!done() && is_space(text[at])) ++at;
  }

  // Dot-separated runs of local-part characters.
  bool read_local() {
    for (;;) {
      const std::size_t start = at;
      while (!done() && is_local_char(text[at])) ++at;
      if (at == start) return false;
      if (peek() != '.') return true;
      ++at;
    }
  }

  // Dot-separated labels: letters, digits and '-', not at a label's ends, and none with '-' as its third
  // and fourth characters, as an "xn--" label has (GMime decodes punycode, and what it reads then
  // depends on the label).
  bool read_domain() {
    for (;;) {
      const std::size_t start = at;
      while (!done() && (is_let_dig(text[at]) || text[at] == '-')) ++at;
      if (at == start || text[start] == '-' || text[at - 1] == '-') return false;
      if (at - start >= 4 && text[start + 2] == '-' && text[start + 3] == '-') return false;
      if (peek() != '.') return true;
      ++at;
    }
  }

  bool read_addr_spec() {
    if (!read_local() || peek() != '@') return false;
    ++at;
    return read_domain();
  }

  // A quoted display-name word: printable ASCII, no escape, no encoded word.
  bool read_quoted() {
    ++at;  // the opening quote
    for (; !done(); ++at) {
      const char c = text[at];
      if (c == '"') {
        ++at;
        return true;
      }
      if (c < 0x20 || c > 0x7e || c == '\\' || (c == '=' && at + 1 < text.size() && text[at + 1] == '?')) {
        return false;
      }
    }
    return false;
  }

  // One member: an addr-spec, or a display name (possibly none) and an addr-spec in angle brackets.
  bool read_member() {
    const std::size_t start = at;
    if (is_local_char(peek()) && read_addr_spec() && (done() || is_space(peek()) || peek() == ',')) return true;
    at = start;
    bool words = false;
    while (peek() != '<') {
      if (words) {
        if (!is_space(peek())) return false;
        skip_space();
        if (peek() == '<') break;
      }
      if (peek() == '"') {
        if (!read_quoted()) return false;
      } else {
        const std::size_t word = at;
        while (!done() && is_name_char(text[at])) ++at;
        if (at == word) return false;
      }
      words = true;
    }
    ++at;  // '<'
    if (!read_addr_spec() || peek() != '>') return false;
    ++at;
    return true;
  }
};

}  // namespace

bool is_plain_address_list(std::string_view unfolded) {
  Reader reader{unfolded};
  for (;;) {
    reader.skip_space();
    if (!reader.read_member()) return false;
    reader.skip_space();
    if (reader.done()) return true;
    if (reader.peek() != ',') return false;
    ++reader.at;
  }
}

}  // namespace rewrite::detail
