// SPDX-License-Identifier: BSD-2-Clause
// explain.cpp: explain_lookup, the human-readable account of a lookup, for rewrite-test (see explain.h).
#include <sstream>

#include "rewrite/address.h"
#include "rewrite/address_check.h"
#include "rewrite/offline/explain.h"
#include "rewrite/rule_table.h"
#include "rule_index.h"

namespace rewrite {
namespace {

// Returns "KIND rule 'A -> B' [name=N] (file:line)".
std::string describe(const Rule& rule, const RuleTable& table) {
  std::string text = std::string(to_string(rule.kind)) + " rule '";
  text.append(rule.default_name()).append(" -> ").append(rule.external).append("'");
  if (!rule.given_name.empty()) text.append(" name=").append(rule.given_name);
  text += " (" + table.location_of(rule) + ")";
  return text;
}

}  // namespace

std::string explain_lookup(const RuleTable& table, std::string_view address, Direction direction) {
  using Index = RuleTable::Index;
  if (const std::string ascii = with_ascii_domain(address); !ascii.empty()) {  // as lookup() does
    const std::string account = explain_lookup(table, ascii, direction);
    return std::string(to_string(direction)) + " <" + std::string(address) + ">\n  the domain is looked up in " +
           "its ASCII form, as rules are written: <" + ascii + ">\n" + account.substr(account.find('\n') + 1);
  }
  std::ostringstream out;
  const Lookup result = table.lookup(address, direction);
  out << to_string(direction) << " <" << address << ">\n";

  const std::size_t at = address.rfind('@');
  if (address.empty()) {
    out << "  not rewritten: the null sender <> is never rewritten\n";
    return out.str();
  }
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size()) {
    out << "  not rewritten: not an address with a local part and a domain\n";
    return out.str();
  }
  if (const std::string problem = address_problem(address, true); !problem.empty()) {
    out << "  not rewritten: not a valid address: " << problem << "\n";
    return out.str();
  }
  std::string_view full = address;  // without a trailing dot
  std::string_view domain = address.substr(at + 1);
  if (domain.back() == '.') {
    domain.remove_suffix(1);
    full.remove_suffix(1);
  }

  std::string unquoted;
  const std::string_view key = comparable_address(full, unquoted);  // as rules are keyed (rule_index.h)

  if (direction == Direction::inbound) {
    if (result.rewritten) {
      out << "  matched " << describe(*result.rule, table) << "\n";
      out << "  bidirectional: the external address is routed back to the internal address\n";
      out << "  result: <" << result.address << ">\n";
      return out.str();
    }
    for (const Rule& rule : table.rules_) {
      if (rule.kind == RuleKind::address && !rule.bidirectional && is_rule_key(rule.external, key)) {
        out << "  " << describe(rule, table) << " maps to this address but is outbound-only\n";
      }
    }
    out << "  not rewritten: inbound, only bidirectional address rules apply, and none has this external "
           "address\n";
    return out.str();
  }

  // Outbound: list every candidate in precedence order, then say which one decided.
  const std::uint32_t address_rule =
      Index::find_internal(table.index_->by_address, table.rules_, key, detail::hash_ignoring_case(key));
  const std::uint64_t domain_hash = detail::hash_ignoring_case(domain);
  const std::uint32_t domain_rule = Index::find_internal(table.index_->by_domain, table.rules_, domain, domain_hash);
  std::vector<std::uint32_t> wildcards;
  WildcardSuffixes suffixes(*table.index_, domain, domain_hash);
  std::string_view suffix;
  std::uint64_t suffix_hash = 0;
  while (suffixes.next(suffix, suffix_hash)) {
    const std::uint32_t found = Index::find_internal(table.index_->by_wildcard, table.rules_, suffix, suffix_hash);
    if (found != Index::kNone) wildcards.push_back(found);
  }
  if (address_rule != Index::kNone) out << "  candidate: " << describe(table.rules_[address_rule], table) << "\n";
  if (domain_rule != Index::kNone) out << "  candidate: " << describe(table.rules_[domain_rule], table) << "\n";
  for (const std::uint32_t index : wildcards) out << "  candidate: " << describe(table.rules_[index], table) << "\n";

  if (result.rewritten) {
    const Rule& rule = *result.rule;
    out << "  matched " << describe(rule, table) << "\n";
    switch (rule.kind) {
      case RuleKind::address:
        out << "  why: an individual address rule beats every domain and wildcard rule\n";
        break;
      case RuleKind::domain:
        out << "  why: no address rule for this address; a domain rule beats every wildcard\n";
        break;
      case RuleKind::wildcard:
        out << "  why: no address or domain rule; *." << rule.internal
            << " is the most specific wildcard covering " << domain << "\n";
        break;
    }
    out << "  result: <" << result.address << ">\n";
    return out.str();
  }
  if (!wildcards.empty()) {
    const Rule& rule = table.rules_[wildcards.front()];
    for (const std::string_view exception : rule.exceptions) {
      if (detail::is_within_domain(domain, exception)) {
        out << "  not rewritten: " << domain << " is excepted (except=" << exception << ") by the most specific "
            << "wildcard, " << describe(rule, table) << "\n";
        return out.str();
      }
    }
  }
  out << "  not rewritten: no address rule for " << full << ", no domain rule for " << domain
      << ", and no wildcard covers it\n";
  return out.str();
}

}  // namespace rewrite
