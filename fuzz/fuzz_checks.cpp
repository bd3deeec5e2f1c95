// SPDX-License-Identifier: BSD-2-Clause
// fuzz_checks.cpp: the properties checked by the fuzz targets (see fuzz_checks.h).
#include "fuzz_checks.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "../librewrite/src/address_list_scan.h"
#include "../librewrite/src/gmime_address_list.h"
#include "../librewrite/src/plain_address_list.h"
#include "rewrite/address.h"
#include "rewrite/address_check.h"
#include "rewrite/offline/explain.h"

namespace rewrite_fuzz {
namespace {

using rewrite::Direction;
using rewrite::Lookup;
using rewrite::Rule;
using rewrite::RuleKind;
using rewrite::RuleTable;

// The example rules of rewrite-rules(5) and the seeds.
constexpr const char* kSeedRules =
    "*.contoso.com             contoso.com  except=legal.contoso.com name=flatten\n"
    "japan.sales.contoso.com   contoso.jp\n"
    "fourthcoffee.com          contoso.com\n"
    "someone@fourthcoffee.com  someone@contoso.com  outbound-only\n"
    "support@contoso.com       support@wingtiptoys.com\n"
    "john@contoso.com          support@contoso.com  outbound-only\n"
    "contoso.edu               live.contoso.edu\n";

// Returns text with ASCII letters upper-cased.
std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// True when a and b are equal ignoring ASCII case.
bool same_ignoring_case(std::string_view a, std::string_view b) { return upper(a) == upper(b); }

// True when domain is parent or below it at a label boundary, ignoring ASCII case.
bool within(std::string_view domain, std::string_view parent) {
  if (domain.size() == parent.size()) return same_ignoring_case(domain, parent);
  if (domain.size() <= parent.size()) return false;
  const std::size_t cut = domain.size() - parent.size();
  return domain[cut - 1] == '.' && same_ignoring_case(domain.substr(cut), parent);
}

// Returns address without one trailing dot.
std::string_view without_dot(std::string_view address) {
  if (!address.empty() && address.back() == '.') address.remove_suffix(1);
  return address;
}

// Checks an outbound result against the rule it names: the rule really matches address, and a domain or
// wildcard rule kept the local part byte for byte.
void check_outbound(std::string_view address, const Lookup& found) {
  if (!found.rewritten) {
    require(found.rule == nullptr, "a lookup that rewrote nothing names a rule");
    return;
  }
  require(found.rule != nullptr, "a rewriting lookup names no rule");
  const Rule& rule = *found.rule;
  const std::string_view bare = without_dot(address);
  const std::size_t at = bare.rfind('@');
  require(at != std::string_view::npos, "an address without '@' was rewritten");
  const std::string_view local = bare.substr(0, at);
  const std::string_view domain = bare.substr(at + 1);
  switch (rule.kind) {
    case RuleKind::address: {
      if (same_ignoring_case(bare, rule.internal)) {
        require(found.address == rule.external, "an address rule did not give its external address");
        break;
      }
      // Else the address without its extension (from the first '+' of the comparable local part, not
      // its first byte) is the rule's, and the result is the rule's external address with it kept.
      std::string buffer;
      std::string stripped_buffer;
      const std::string_view comparable = rewrite::comparable_address(bare, buffer);
      const std::string_view key_local = comparable.substr(0, comparable.rfind('@'));
      const std::size_t cut = key_local.find('+');
      require(key_local.front() != '"' && cut != std::string_view::npos && cut > 0,
              "an address rule fired for another address");
      const std::string stripped = std::string(key_local.substr(0, cut)) + "@" + std::string(domain);
      require(same_ignoring_case(stripped, rule.internal) ||
                  same_ignoring_case(rewrite::comparable_address(stripped, stripped_buffer), rule.internal),
              "an address rule fired for another address");
      const std::size_t ext_at = rule.external.rfind('@');
      require(found.address == std::string(rule.external.substr(0, ext_at)) + std::string(key_local.substr(cut)) +
                                   std::string(rule.external.substr(ext_at)),
              "an address rule did not keep the extension");
      break;
    }
    case RuleKind::domain:
      require(same_ignoring_case(domain, rule.internal), "a domain rule fired for another domain");
      require(found.address == std::string(local) + "@" + std::string(rule.external), "a domain rule changed the local part");
      break;
    case RuleKind::wildcard:
      require(within(domain, rule.internal), "a wildcard fired outside its domain");
      for (const std::string_view exception : rule.exceptions) {
        require(!within(domain, exception), "a wildcard fired inside one of its exceptions");
      }
      require(found.address == std::string(local) + "@" + std::string(rule.external), "a wildcard rule changed the local part");
      break;
  }
}

// True when text has line as one of its lines (split at LF, a CR before it dropped).
bool has_line(std::string_view text, std::string_view line) {
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::size_t stop = (end > start && text[end - 1] == '\r') ? end - 1 : end;
    if (text.substr(start, stop - start) == line) return true;
    start = end + 1;
  }
  return false;
}

// Looks address up outbound, checks the result, and checks that case and a trailing dot change nothing.
Lookup outbound(const RuleTable& table, const std::string& address) {
  const Lookup found = table.lookup(address, Direction::outbound);
  check_outbound(address, found);
  require(table.lookup(upper(address), Direction::outbound).rule == found.rule, "lookup depends on case");
  require(table.lookup(address + ".", Direction::outbound).rule == found.rule, "a trailing dot changes the lookup");
  require(!rewrite::explain_lookup(table, address, Direction::outbound).empty(), "explain_lookup() returned nothing");
  return found;
}

// True when one exception of a wildcard rule covers domain.
bool excepted(const Rule& rule, std::string_view domain) {
  for (const std::string_view exception : rule.exceptions) {
    if (within(domain, exception)) return true;
  }
  return false;
}

// Checks what a table must answer about one of its own rules.
void check_rule(const RuleTable& table, const Rule& rule) {
  const std::string probe_local = "fuzz.probe";
  switch (rule.kind) {
    case RuleKind::address: {
      const Lookup found = outbound(table, std::string(rule.internal));
      require(found.rule == &rule, "an address rule does not fire for its own internal address");
      require(table.is_internal_domain(rule.internal.substr(rule.internal.rfind('@') + 1)),
              "the domain of an address rule is not internal");
      if (rule.bidirectional) {
        const Lookup back = table.lookup(rule.external, Direction::inbound);
        require(back.rule == &rule && back.address == rule.internal,
                "a bidirectional rule does not route its external address back");
        require(table.lookup(upper(rule.external), Direction::inbound).rule == &rule, "inbound lookup depends on case");
      }
      break;
    }
    case RuleKind::domain: {
      const Lookup found = outbound(table, probe_local + "@" + std::string(rule.internal));
      require(found.rule == &rule || (found.rule && found.rule->kind == RuleKind::address),
              "a domain rule does not fire for its own domain");
      require(table.is_internal_domain(rule.internal), "the domain of a domain rule is not internal");
      break;
    }
    case RuleKind::wildcard: {
      const Lookup found = outbound(table, probe_local + "@" + std::string(rule.internal));
      if (!found.rewritten) {
        require(excepted(rule, rule.internal), "a wildcard does not fire for its own domain");
      } else if (found.rule->kind == RuleKind::wildcard) {
        require(found.rule == &rule, "a less specific wildcard won");
      }
      const std::string below = "zz9." + std::string(rule.internal);
      const Lookup deeper = outbound(table, probe_local + "@" + below);
      if (deeper.rewritten && deeper.rule->kind == RuleKind::wildcard) {
        require(deeper.rule->internal.size() >= rule.internal.size(), "a less specific wildcard won below");
      } else if (!deeper.rewritten) {
        require(excepted(rule, below) || table.lookup(probe_local + "@" + below, Direction::outbound).rule == nullptr,
                "inconsistent lookups");
      }
      require(table.is_internal_domain(below), "a subdomain of a wildcard is not internal");
      break;
    }
  }
}

}  // namespace

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz property violated: %s\n", what);
  std::abort();
}

const RuleTable& seed_table() {
  static const rewrite::LoadResult loaded = rewrite::RuleTable::parse(kSeedRules, "<seed>", rewrite::RuleFormat::native);
  require(loaded.ok(), "the seed rules do not load");
  return *loaded.table;
}

void check_table(const RuleTable& table, std::size_t max_rules) {
  require(!table.lookup("", Direction::outbound).rewritten, "the null sender was rewritten");
  require(!table.lookup("", Direction::inbound).rewritten, "the null recipient was rewritten");
  std::size_t checked = 0;
  for (const Rule& rule : table.rules()) {
    if (checked++ == max_rules) break;
    check_rule(table, rule);
    require(!table.lookup(rule.internal.substr(rule.internal.rfind('@') + 1), Direction::outbound).rewritten,
            "an address without '@' was rewritten");
  }
}

void check_header_rewrite(std::string_view value, const RuleTable& table, Direction direction) {
  using Status = rewrite::HeaderRewrite::Status;
  const rewrite::HeaderRewrite result = rewrite::rewrite_header_value(value, table, direction);
  if (result.status != Status::changed) {
    require(result.value.empty() && result.changes.empty(), "an unchanged or malformed result carries a value");
    require(result.status != Status::malformed || !result.reason.empty(), "a malformed result gives no reason");
    return;
  }
  require(!result.changes.empty(), "a changed value lists no change");
  require(result.value.find('\0') == std::string::npos, "a NUL byte in a rewritten value");
  std::size_t line_start = 0;
  for (std::size_t i = 0; i <= result.value.size(); ++i) {
    if (i < result.value.size() && result.value[i] != '\n') continue;
    const std::size_t end = (i > line_start && result.value[i - 1] == '\r') ? i - 1 : i;
    // A line the rewrite touched is folded under 998 bytes; an overlong line of the input that held no
    // replacement is kept as it was.
    require(end - line_start < 998 || has_line(value, std::string_view(result.value).substr(line_start, end - line_start)),
            "a rewritten line is 998 bytes or longer");
    if (i < result.value.size()) {
      require(i + 1 < result.value.size() && (result.value[i + 1] == ' ' || result.value[i + 1] == '\t'),
              "a line break in a rewritten value is not folding (header injection)");
    }
    line_start = i + 1;
  }
  for (const rewrite::AddressChange& change : result.changes) {
    require(change.rule != nullptr, "a change names no rule");
    if (direction == Direction::outbound) {
      require(table.lookup(without_dot(change.original), direction).rule == change.rule ||
                  !rewrite::is_ascii(change.original),
              "a change disagrees with the table");
    }
  }
  const rewrite::HeaderRewrite again = rewrite::rewrite_header_value(result.value, table, direction);
  require(again.status != Status::malformed, "a rewritten value no longer parses");
}

void check_rules_text(std::string_view text, rewrite::RuleFormat format) {
  const rewrite::LoadResult loaded = rewrite::RuleTable::parse(text, "<fuzz>", format);
  if (!loaded.ok()) {
    require(!loaded.errors.empty(), "a table failed to load without an error");
    for (const rewrite::ConfigError& error : loaded.errors) {
      require(!error.reason.empty() && error.line >= 0, "an error without a reason or line");
    }
    return;
  }
  check_table(*loaded.table, 64);
}

void check_plain_promise(std::string_view value) {
  if (!rewrite::detail::is_plain_address_list(value)) return;
  const rewrite::detail::AddressListScan scan = rewrite::detail::scan_address_list(value);
  require(scan.error.empty(), "a plain value scans without error");
  const rewrite::detail::ParsedAddressList parsed = rewrite::detail::parse_address_list(std::string(value), 1000);
  require(parsed.error.empty(), "GMime does not warn about a plain value");
  require(parsed.mailboxes.size() == scan.addresses.size(), "GMime reads a plain value's addresses as the scan");
  for (std::size_t k = 0; k < scan.addresses.size(); ++k) {
    require(parsed.mailboxes[k].addr == scan.addresses[k].text(value), "GMime reads each plain address as written");
  }
}

void check_address_validity(std::string_view value) {
  for (const bool utf8 : {true, false}) {
    require(rewrite::is_valid_address(value, utf8) == rewrite::address_problem(value, utf8).empty(),
            "the one-pass address check and the full one disagree");
  }
}

}  // namespace rewrite_fuzz
