// SPDX-License-Identifier: BSD-2-Clause
// header_rewriter.cpp: rewriting the addresses of one address-list header value in place.
//
// GMime decides what the addresses are; the raw text is only edited where an addr-spec changes. The two
// views must agree exactly: the addr-spec tokens found in the raw text (outside quoted strings and
// comments, at token boundaries) must be, one for one and in order, the mailboxes GMime reported (ASCII
// case ignored, a trailing dot allowed, punycode or UTF-8 domain). When they do not, or GMime warned, or
// the quoting and brackets do not balance, the value is malformed and left alone: we never guess.
//
// GMime is not asked about a plain value (plain_address_list.h: "Bob <bob@fabrikam.com>, c@example.net",
// the form of nearly every field): GMime reads such a value without a warning as exactly the tokens the
// scan finds, which the tests check against GMime itself, so the answer is the same without it, at a
// fraction of the cost (GMime's parse and object teardown are most of a field's).
#include "rewrite/header_rewriter.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "address_list_scan.h"
#include "gmime_address_list.h"
#include "plain_address_list.h"
#include "rewrite/address.h"
#include "rewrite/address_check.h"

namespace rewrite {
namespace {

constexpr std::size_t kMaxValueBytes = 64 * 1024;  // a milter packet is at most 64 KiB
constexpr std::size_t kMaxAddresses = 1000;
constexpr std::size_t kMaxLineBytes = 998;         // RFC 5322 2.1.1: lines must be shorter than this
constexpr std::size_t kFieldNameReserve = 80;      // room for "Field-Name: " on the first line

// One replacement of a byte range of the original value; an address with comments around its '@' is
// replaced in two (its local part and its domain), and only one of them carries the change.
struct Replacement {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string text;                    // when whole is false
  std::optional<AddressChange> change;
  bool whole = false;                  // the range becomes change->rewritten (no copy of it is made)

  const std::string& replacement() const { return whole ? change->rewritten : text; }
};

// Appends the replacements that turn the address at span (whose text is token) into found.address: the
// whole span when it is one run of text, else the local part and the domain each where they stand, so
// the comments and white space between them stay.
void replace_address(std::string_view value, const detail::AddressToken& span, std::string_view token, Lookup found,
                     std::vector<Replacement>& out) {
  if (!span.split()) {
    out.push_back({span.begin, span.end, {}, AddressChange{std::string(token), std::move(found.address), found.rule}, true});
    return;
  }
  AddressChange change{std::string(token), found.address, found.rule};
  const std::size_t at = found.address.rfind('@');
  const std::string local = found.address.substr(0, at);
  const std::string domain = found.address.substr(at + 1);
  if (value.substr(span.begin, span.local_end - span.begin) != local) {
    out.push_back({span.begin, span.local_end, local, std::nullopt});
  }
  out.push_back({span.domain_begin, span.end, domain, std::move(change)});
}

// Returns a HeaderRewrite that reports value as malformed for reason.
HeaderRewrite malformed(std::string reason) {
  HeaderRewrite result;
  result.status = HeaderRewrite::Status::malformed;
  result.reason = std::move(reason);
  return result;
}

// True when value holds nothing but white space and line breaks.
bool is_blank(std::string_view value) {
  return value.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// Removes the line breaks of folding (CRLF or LF followed by a space or tab) for GMime, which warns
// about CR. Returns false with error set on a NUL byte or a line break that is not folding.
bool unfold(std::string_view value, std::string& out, std::string& error) {
  out.reserve(value.size());
  std::size_t i = 0;
  for (;;) {
    std::size_t stop = i;  // copied in runs, not byte by byte
    while (stop < value.size() && value[stop] != '\0' && value[stop] != '\r' && value[stop] != '\n') ++stop;
    out.append(value.substr(i, stop - i));
    if (stop == value.size()) return true;
    const char c = value[stop];
    if (c == '\0') {
      error = "NUL byte in the value";
      return false;
    }
    const std::size_t after = (c == '\r' && stop + 1 < value.size() && value[stop + 1] == '\n') ? stop + 2 : stop + 1;
    if (c == '\r' && after == stop + 1) {
      error = "bare CR in the value";
      return false;
    }
    if (after >= value.size() || (value[after] != ' ' && value[after] != '\t')) {
      error = "line break not followed by white space (not folding)";
      return false;
    }
    i = after;
  }
}

// Returns token without one trailing dot (GMime drops it: "a@b.com." reads as "a@b.com").
std::string_view without_trailing_dot(std::string_view token) {
  if (token.size() > 1 && token.back() == '.') token.remove_suffix(1);
  return token;
}

// True when the raw token is the address GMime reported for it.
bool token_matches(std::string_view token, const detail::ParsedMailbox& mailbox) {
  const std::string_view bare = without_trailing_dot(token);
  return equals_ignoring_case(token, mailbox.addr) || equals_ignoring_case(bare, mailbox.addr) ||
         equals_ignoring_case(bare, mailbox.idn_addr);
}

// Looks up the address written as token (the table looks a UTF-8 domain up in its punycode form).
// Returns a lookup with rewritten == false when nothing changes.
Lookup lookup_token(std::string_view token, const RuleTable& table, Direction direction) {
  const std::string_view bare = without_trailing_dot(token);
  Lookup found = table.lookup(bare, direction);
  // Never turn an ASCII address into a non-ASCII one; a result that differs only in ASCII case (or a
  // trailing dot) names the same mailbox and is no change.
  const bool widens = is_ascii(token) && !is_ascii(found.address);
  if (found.rewritten && (widens || equals_ignoring_case(found.address, bare))) {
    found = Lookup{};
  }
  return found;
}

// Finds the fold position for the line text[start, end): the last fold point that leaves the line
// shorter than limit with some content before it. Returns npos when there is none.
std::size_t find_fold(const std::string& text, std::size_t start, std::size_t end, std::size_t limit) {
  const std::vector<bool> points = detail::fold_points(text);
  const std::size_t last = std::min(end, start + limit - 1);  // a comma fold keeps the comma: p - start + 1 < limit
  const std::size_t content = text.find_first_not_of(" \t", start);
  for (std::size_t p = last; p-- > start + 1;) {
    if (points[p] && content < p) return p;
  }
  return std::string::npos;
}

// Folds, with "\n\t", every line that holds a replacement (ranges in text) and would reach 998 bytes
// (the first line keeps room for the field name). Returns false with error set when a line cannot be.
bool fold_long_lines(std::string& text, std::vector<std::pair<std::size_t, std::size_t>> ranges,
                     std::string& error) {
  std::size_t start = 0;
  bool carried = false;  // the previous piece was cut from a line holding a replacement
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::size_t limit = kMaxLineBytes - (start == 0 ? kFieldNameReserve : 0);
    const bool touched = carried || std::any_of(ranges.begin(), ranges.end(), [&](const auto& range) {
                           return range.first < end && range.second > start;
                         });
    if (!touched || end - start < limit) {
      start = end + 1;
      carried = false;
      continue;
    }
    const std::size_t p = find_fold(text, start, end, limit);
    if (p == std::string::npos) {
      error = "a rewritten line of " + std::to_string(end - start) + " bytes has no place to fold";
      return false;
    }
    std::size_t cut = p;       // the byte replaced by "\n\t" (a space), or where it is inserted
    std::size_t removed = 1;
    if (text[p] == ',') {
      cut = p + 1;
      removed = (cut < text.size() && (text[cut] == ' ' || text[cut] == '\t')) ? 1 : 0;
    }
    text.replace(cut, removed, "\n\t");
    for (auto& range : ranges) {
      if (range.first >= cut + removed) range.first += 2 - removed;
      if (range.second >= cut + removed) range.second += 2 - removed;
    }
    start = cut + 1;
    carried = true;
  }
  return true;
}

}  // namespace

HeaderRewrite rewrite_header_value(std::string_view value, const RuleTable& table, Direction direction) {
  if (value.size() > kMaxValueBytes) {
    return malformed("value is " + std::to_string(value.size()) + " bytes, over the " +
                     std::to_string(kMaxValueBytes) + "-byte limit");
  }
  if (is_blank(value)) return {};

  // GMime and the plain form read the value unfolded; most values are one line and read as they are.
  std::string unfolded_copy;
  std::string error;
  std::string_view unfolded = value;
  const bool one_line = std::none_of(value.begin(), value.end(), [](char c) { return c == '\0' || c == '\r' || c == '\n'; });
  if (!one_line) {
    if (!unfold(value, unfolded_copy, error)) return malformed(error);
    unfolded = unfolded_copy;
  }
  const detail::AddressListScan scan = detail::scan_address_list(value);
  if (!scan.error.empty()) return malformed(scan.error);
  if (scan.addresses.empty()) return {};  // no '@' outside quotes and comments: nothing to rewrite
  if (scan.addresses.size() > kMaxAddresses) {
    return malformed("more than " + std::to_string(kMaxAddresses) + " addresses");
  }

  // A plain value is one GMime reads without a warning as exactly the scanned tokens
  // (plain_address_list.h): it is not asked. Any other value is parsed, and must agree with the scan.
  const bool plain = detail::is_plain_address_list(unfolded);
  detail::ParsedAddressList parsed;
  if (!plain) {
    parsed = detail::parse_address_list(std::string(unfolded), kMaxAddresses);
    if (!parsed.error.empty()) return malformed(parsed.error);
    auto& mailboxes = parsed.mailboxes;
    mailboxes.erase(std::remove_if(mailboxes.begin(), mailboxes.end(),
                                   [](const auto& m) { return m.addr.find('@') == std::string::npos; }),
                    mailboxes.end());
    if (mailboxes.size() != scan.addresses.size()) {
      return malformed("the parser read " + std::to_string(mailboxes.size()) + " addresses where the text has " +
                       std::to_string(scan.addresses.size()));
    }
  }

  std::vector<Replacement> replacements;
  for (std::size_t k = 0; k < scan.addresses.size(); ++k) {
    const detail::AddressToken& span = scan.addresses[k];
    std::string split_token;  // only an address with CFWS around its '@' is put together
    const std::string_view token =
        span.split() ? std::string_view(split_token = span.text(value)) : value.substr(span.begin, span.end - span.begin);
    if (!plain && !token_matches(token, parsed.mailboxes[k])) {
      return malformed("address " + std::to_string(k + 1) + " in the text differs from what the parser read");
    }
    Lookup found = lookup_token(token, table, direction);
    if (found.rewritten) {
      replace_address(value, span, token, std::move(found), replacements);
      continue;
    }
    // The lookup refuses an invalid address itself; only one it refused is asked why.
    if (found.invalid) {
      return malformed("address " + std::to_string(k + 1) +
                       " is not valid: " + address_problem(without_trailing_dot(token), true));
    }
  }
  if (replacements.empty()) return {};

  HeaderRewrite result;
  std::size_t size = value.size();
  for (const Replacement& replacement : replacements) {
    size = size - (replacement.end - replacement.begin) + replacement.replacement().size();
  }
  result.value.reserve(size);
  result.changes.reserve(replacements.size());
  // A value shorter than the first line's limit has no line to fold: its ranges are not needed.
  const bool may_fold = size + kFieldNameReserve >= kMaxLineBytes;
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  std::size_t copied = 0;
  for (Replacement& replacement : replacements) {
    result.value.append(value.substr(copied, replacement.begin - copied));
    const std::string& text = replacement.replacement();
    if (may_fold) ranges.emplace_back(result.value.size(), result.value.size() + text.size());
    result.value += text;
    copied = replacement.end;
    if (replacement.change) result.changes.push_back(std::move(*replacement.change));
  }
  result.value.append(value.substr(copied));
  if (may_fold && !fold_long_lines(result.value, std::move(ranges), error)) return malformed(error);
  if (result.value.size() > kMaxValueBytes) {
    return malformed("rewritten value would be over the " + std::to_string(kMaxValueBytes) + "-byte limit");
  }
  result.status = HeaderRewrite::Status::changed;
  std::size_t copied_to = 0;  // any 8-bit byte outside the replaced addresses
  for (const Replacement& replacement : replacements) {
    result.eight_bit = result.eight_bit || !is_ascii(value.substr(copied_to, replacement.begin - copied_to));
    copied_to = replacement.end;
  }
  result.eight_bit = result.eight_bit || !is_ascii(value.substr(copied_to));
  return result;
}

}  // namespace rewrite
