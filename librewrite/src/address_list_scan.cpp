// SPDX-License-Identifier: BSD-2-Clause
// address_list_scan.cpp: the raw-text scan of an address-list header value (see address_list_scan.h).
#include "address_list_scan.h"

#include <algorithm>
#include <optional>

namespace rewrite::detail {
namespace {

constexpr std::size_t kNotClosed = std::string_view::npos;
constexpr int kMaxCommentDepth = 32;

// True for the bytes that end an addr-spec token: white space (folding included) and the specials that
// separate addresses, display names, groups and comments.
bool is_token_boundary(char c) {
  switch (c) {
    case ' ': case '\t': case '\r': case '\n':
    case '<': case '>': case ',': case ':': case ';': case '(': case ')':
      return true;
    default:
      return false;
  }
}

// Returns the position just after the delimited run that opens at value[open] and closes with `close`
// (a quoted string or a domain literal), honouring backslash escapes; kNotClosed when it never closes.
std::size_t skip_delimited(std::string_view value, std::size_t open, char close) {
  for (std::size_t i = open + 1; i < value.size(); ++i) {
    if (value[i] == '\\') {
      ++i;
    } else if (value[i] == close) {
      return i + 1;
    }
  }
  return kNotClosed;
}

// Returns the position just after the comment that opens at value[open] (nested comments and escapes
// honoured); kNotClosed when it never closes or nests deeper than kMaxCommentDepth (error says which).
std::size_t skip_comment(std::string_view value, std::size_t open, std::string& error) {
  int depth = 0;
  for (std::size_t i = open; i < value.size(); ++i) {
    const char c = value[i];
    if (c == '\\') {
      ++i;
    } else if (c == '(') {
      if (++depth > kMaxCommentDepth) {
        error = "comments nested more than " + std::to_string(kMaxCommentDepth) + " deep";
        return kNotClosed;
      }
    } else if (c == ')') {
      if (--depth == 0) return i + 1;
    }
  }
  error = "unbalanced '(' (comment never closed)";
  return kNotClosed;
}

// Reads the token starting at value[start]: returns its end, sets has_at when it holds an '@' outside
// quoted strings and domain literals; kNotClosed on an unterminated quote or literal (error set).
std::size_t read_token(std::string_view value, std::size_t start, bool& has_at, std::string& error) {
  has_at = false;
  std::size_t i = start;
  while (i < value.size() && !is_token_boundary(value[i])) {
    const char c = value[i];
    if (c == '"' || c == '[') {
      i = skip_delimited(value, i, c == '"' ? '"' : ']');
      if (i == kNotClosed) {
        error = c == '"' ? "unbalanced '\"' (quoted string never closed)" : "unbalanced '[' (domain literal never closed)";
        return kNotClosed;
      }
      continue;
    }
    if (c == ']') {
      error = "unbalanced ']'";
      return kNotClosed;
    }
    if (c == '@') has_at = true;
    ++i;
  }
  return i;
}

// True when the '@'-token ending at value[end] is a hop of an obsolete source route ("<@r1,@r2:a@b>"):
// after white space, a ',' (another hop) or ':' (the route's end) follows. "<x(c)@dom>" is not one.
bool ends_route_hop(std::string_view value, std::size_t end) {
  end = value.find_first_not_of(" \t\r\n", end);
  return end != std::string_view::npos && (value[end] == ',' || value[end] == ':');
}

// One run of text between boundaries, as the scan meets it.
struct Word {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t at = kNotClosed;  // position of its first '@' outside quotes and literals, if any
  bool after_cfws_only = false; // only comments and white space separate it from the previous word
};

// Returns the position of the first '@' of value[begin, end) outside quoted strings and domain literals.
std::size_t find_at(std::string_view value, std::size_t begin, std::size_t end) {
  for (std::size_t i = begin; i < end; ++i) {
    if (value[i] == '"' || value[i] == '[') {
      i = skip_delimited(value, i, value[i] == '"' ? '"' : ']') - 1;
    } else if (value[i] == '@') {
      return i;
    }
  }
  return kNotClosed;
}

}  // namespace

std::string AddressToken::text(std::string_view value) const {
  if (!split()) return std::string(value.substr(begin, end - begin));
  return std::string(value.substr(begin, local_end - begin)) + "@" +
         std::string(value.substr(domain_begin, end - domain_begin));
}

AddressListScan scan_address_list(std::string_view value) {
  AddressListScan scan;
  // Every address holds an '@': room for all of them at once (more than needed when some are quoted).
  scan.addresses.reserve(static_cast<std::size_t>(std::count(value.begin(), value.end(), '@')));
  bool in_angle = false;
  bool cfws_only = false;  // since the last word, only comments and white space
  bool in_group = false;   // between a group's ':' and its ';'
  std::optional<Word> previous;  // the word before the current one: all the joining below looks back to
  // Joins the '@'-words with the local part or domain that only CFWS separates from them: "x(c)@d",
  // "x@(c)d", "x @ d". A word starting with '@' right after '<' or ',' is a route hop, never joined.
  const auto add_word = [&](Word word) {
    if (word.at == kNotClosed) {
      // A domain after "x@" (the '@' ending the previous word): the address continues here.
      if (!scan.addresses.empty() && word.after_cfws_only) {
        AddressToken& last = scan.addresses.back();
        if (last.domain_begin == last.end && previous->end == last.end) {
          last.domain_begin = word.begin;
          last.end = word.end;
          previous = word;
          return;
        }
      }
      previous = word;
      return;
    }
    AddressToken token{word.begin, word.end, word.at, word.at + 1};
    if (word.at == word.begin && word.after_cfws_only && previous && previous->at == kNotClosed) {
      token.begin = previous->begin;  // "x(c)@d": the local part is the previous word
      token.local_end = previous->end;
    }
    previous = word;
    scan.addresses.push_back(token);
  };
  std::size_t i = 0;
  while (i < value.size()) {
    const char c = value[i];
    if (c == '(') {
      i = skip_comment(value, i, scan.error);
      if (i == kNotClosed) return scan;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
    } else if (c == ')') {
      scan.error = "unbalanced ')'";
      return scan;
    } else if (c == '<') {
      if (in_angle) {
        scan.error = "'<' inside an angle-bracketed address";
        return scan;
      }
      in_angle = true;
      cfws_only = false;
      ++i;
      continue;
    } else if (c == '>') {
      if (!in_angle) {
        scan.error = "unbalanced '>'";
        return scan;
      }
      in_angle = false;
      cfws_only = false;
      ++i;
      continue;
    } else if (is_token_boundary(c)) {
      cfws_only = false;  // ',', ':' or ';'
      if (!in_angle && c == ':') {
        // RFC 5322 3.4: a group holds mailboxes, never another group.
        if (in_group) {
          scan.error = "a group inside a group";
          return scan;
        }
        in_group = true;
      } else if (!in_angle && c == ';') {
        in_group = false;
      }
      ++i;
      continue;
    } else {
      bool has_at = false;
      const std::size_t end = read_token(value, i, has_at, scan.error);
      if (end == kNotClosed) return scan;
      // Inside <...> a token starting with '@' that a ',' or ':' follows is an obsolete source route, not
      // an address; any other '@' token is kept, so a mailbox the parser reads there is not lost silently.
      const bool route_hop = in_angle && c == '@' && ends_route_hop(value, end);
      Word word{i, end, has_at && !route_hop ? find_at(value, i, end) : kNotClosed, cfws_only && previous.has_value()};
      if (route_hop) word.after_cfws_only = false;
      add_word(word);
      cfws_only = !route_hop;
      i = end;
      continue;
    }
  }
  if (in_angle) scan.error = "unbalanced '<' (angle bracket never closed)";
  return scan;
}

std::vector<bool> fold_points(std::string_view value) {
  std::vector<bool> points(value.size(), false);
  bool in_angle = false;
  std::string ignored;
  std::size_t i = 0;
  while (i < value.size()) {
    const char c = value[i];
    std::size_t next = i + 1;
    if (c == '(') {
      next = skip_comment(value, i, ignored);
    } else if (c == '"' || c == '[') {
      next = skip_delimited(value, i, c == '"' ? '"' : ']');
    } else if (c == '<') {
      in_angle = true;
    } else if (c == '>') {
      in_angle = false;
    } else if (!in_angle && (c == ',' || c == ' ' || c == '\t')) {
      points[i] = true;
    }
    if (next == kNotClosed) break;
    i = next;
  }
  return points;
}

}  // namespace rewrite::detail
