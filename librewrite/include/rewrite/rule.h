// SPDX-License-Identifier: BSD-2-Clause
// rule.h: one address rewriting rule as loaded from a rules file (see rewrite-rules(5)).
// Thread safety: plain value type viewing its table's text; rules are immutable once inside a RuleTable.
#pragma once

#include <cstdint>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace rewrite {

enum class RuleKind : std::uint8_t {
  address,   // john@contoso.com -> support@contoso.com (whole address)
  domain,    // sales.contoso.com -> contoso.com (exactly that domain; local part kept)
  wildcard,  // *.contoso.com -> contoso.com (contoso.com and every subdomain; local part kept)
};

// Returns "address", "domain" or "wildcard".
const char* to_string(RuleKind kind);

// The two formats of a rules file.
enum class RuleFormat {
  detect,  // CSV when the first non-comment line is an Exchange CSV header, native otherwise
  native,  // INTERNAL EXTERNAL [options]  (rewrite-rules(5))
  csv,     // Exchange's export: columns Name,InternalAddress,ExternalAddress,ExceptionList,OutboundOnly
           // found by name in the header (others, such as Identity or Guid, ignored)
};

// A wildcard rule's excepted domains: views into the text of the rule's table.
class DomainList {
 public:
  DomainList() = default;
  DomainList(const std::string_view* first, std::uint32_t count) : first_(first), count_(count) {}

  const std::string_view* begin() const { return first_; }
  const std::string_view* end() const { return first_ + count_; }
  std::size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  std::string_view operator[](std::size_t i) const { return first_[i]; }

 private:
  const std::string_view* first_ = nullptr;
  std::uint32_t count_ = 0;
};

// A rule's text is views into its table (RuleTable keeps every rule's characters in one arena), valid
// as long as the table: a table of millions of rules then pays no heap block and no string header per
// field.
struct Rule {
  // Internal side, normalised: no trailing dot, domain lower-cased. For a wildcard rule the domain after
  // "*."; for an address rule "local@domain" with the local part as written (compared without case, and
  // a quoted dot-atom as that dot-atom: see comparable_address in address.h).
  std::string_view internal;
  // External side as written (domain lower-cased): an address for address rules, a domain otherwise.
  std::string_view external;
  // The name when it is not default_name(): from name=..., a directory entry's own name, or an internal
  // side written otherwise than normalised; "" otherwise, so that a table keeps no second copy of every
  // internal side. Read it through name().
  std::string_view given_name;
  DomainList exceptions;         // wildcard rules only: normalised domains not to rewrite
  int line = 0;                  // line in the source file (CSV: the record's line)
  std::uint32_t source = 0;      // which file of the table (RuleTable::source_of)
  RuleKind kind = RuleKind::domain;
  bool bidirectional = false;    // address rules only: inbound RCPT external -> internal

  // The internal side as a rules file writes it: internal, with "*." before it for a wildcard rule.
  std::string default_name() const { return std::string(wildcard_prefix()) + std::string(internal); }
  // True when name is default_name(), compared without building it (the parser asks for every rule).
  bool is_default_name(std::string_view name) const {
    const std::string_view prefix = wildcard_prefix();
    return name.size() == prefix.size() + internal.size() && name.substr(0, prefix.size()) == prefix &&
           name.substr(prefix.size()) == internal;
  }
  // "*." for a wildcard rule, "" otherwise: what a rules file writes before the internal side.
  std::string_view wildcard_prefix() const { return kind == RuleKind::wildcard ? "*." : ""; }
  // The rule's name, as logs, metrics and the offline tool show it: given_name, or default_name().
  std::string name() const { return given_name.empty() ? default_name() : std::string(given_name); }
};

// One rule as a directory entry holds it (rewrite-milter.conf(5) DIRECTORY), before checking: the
// entry's DN, its internal and external sides, its option words as a rules file writes them
// (outbound-only, bidirectional, except=DOMAINS, name=NAME) and the name it has when no name= option is
// given (the entry's own name; "" for the internal side as written).
struct RuleFields {
  std::string source;
  std::string internal;
  std::string external;
  std::vector<std::string> options;
  std::string name;
};

}  // namespace rewrite
