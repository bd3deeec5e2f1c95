// SPDX-License-Identifier: BSD-2-Clause
// rule_table.h: a validated, immutable table of rewriting rules and the lookup that picks the rule for an
// address. Tables are built once (load or parse) and shared read-only between threads: every const
// member function is safe to call concurrently. A lookup is a few hash probes (one per domain label).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rewrite/config_error.h"
#include "rewrite/rule.h"
#include "rewrite/types.h"

namespace rewrite {
namespace detail {
class TextArena;
struct RuleStore;
}  // namespace detail

// The outcome of looking up one address.
struct Lookup {
  bool rewritten = false;     // false: leave the address alone
  std::string address;        // the rewritten address when rewritten
  const Rule* rule = nullptr; // the rule that fired, or nullptr
  // True when address_problem() refused the address, which is then never rewritten: a caller asks it
  // why only then, so a valid address left alone is checked once.
  bool invalid = false;
};

class RuleTable;

// Debian's Postfix sets recipient_delimiter = +, and so does rewrite-milter.conf(5) by default.
inline constexpr std::string_view kDefaultRecipientDelimiter = "+";

// The offline tool's account of a lookup (rewrite/offline/explain.h) reads the index.
std::string explain_lookup(const RuleTable& table, std::string_view address, Direction direction);

// What loading produced: a table when there were no errors, otherwise every error found.
struct LoadResult {
  std::shared_ptr<const RuleTable> table;  // null when errors is not empty
  std::vector<ConfigError> errors;

  bool ok() const { return table != nullptr; }
};

class RuleTable {
 public:
  // Reads and validates the rules file at path. Errors carry path:line; an unreadable file is one error
  // with line 0. A directory (rules.d) is read as one table: its files whose names end in ".rules" or
  // ".csv", in byte order of their names (each in its own format when format is detect), validated
  // together, so that a rule duplicated across files is an error naming both; other names (editor
  // backups, .dpkg-old) are left alone.
  // recipient_delimiter is the set of characters that start an address extension (Postfix's
  // recipient_delimiter; "" for none): see lookup().
  static LoadResult load(const std::string& path, RuleFormat format = RuleFormat::detect,
                         std::string_view recipient_delimiter = kDefaultRecipientDelimiter);

  // Parses and validates rules from text; source_name is used in error messages.
  static LoadResult parse(std::string_view text, const std::string& source_name,
                          RuleFormat format = RuleFormat::detect,
                          std::string_view recipient_delimiter = kDefaultRecipientDelimiter);

  // Checks entries exactly as the lines of a rules file (each entry on its own, then the whole table)
  // and builds the table; an error names its entry's source (a DN) without a line, and source_of() of
  // each rule is its entry's source. source_name names the table (an LDAP URL).
  static LoadResult from_fields(const std::vector<RuleFields>& entries, const std::string& source_name,
                                std::string_view recipient_delimiter = kDefaultRecipientDelimiter);

  // Picks the rule for address (an addr-spec without angle brackets) in the given direction and returns
  // the rewritten address. Outbound: address rule > domain rule > most specific wildcard; an exception of
  // the most specific matching wildcard stops wildcard rewriting. Inbound: only bidirectional address
  // rules, external address -> internal address. Address extensions work as Postfix canonical(5)'s
  // ADDRESS EXTENSION: an address rule is looked up for the whole address, then for the address without
  // its extension (from the first recipient-delimiter character of an unquoted local part, not the first
  // byte), and the extension is kept in the result: with john@x -> support@x, john+tag@x becomes
  // support+tag@x, both ways. Never rewrites "" (the null sender), an address that
  // address_problem() (address_check.h) refuses, an address without
  // a domain, or an ASCII address into a non-ASCII one; a refused address comes back with invalid set.
  // The result is never fed back into the rules.
  Lookup lookup(std::string_view address, Direction direction) const;

  // True when domain (any case, trailing dot allowed) is the internal side of a domain rule, is covered
  // by a wildcard rule, or is the domain of either side of an address rule.
  bool is_internal_domain(std::string_view domain) const;

  // True when domain (any case, trailing dot allowed) is on the internal side of some rule: the internal
  // domain of an address or domain rule, or covered by a wildcard rule (its excepted subdomains too:
  // they are still the organisation's). Decides which recipients keep mail inside.
  bool covers_internal_domain(std::string_view domain) const;

  // The characters that start an address extension ("" for none).
  const std::string& recipient_delimiter() const { return recipient_delimiter_; }

  const std::vector<Rule>& rules() const { return rules_; }
  const std::string& source_name() const { return source_name_; }
  // The file a rule was read from (the table's source_name for a single file).
  const std::string& source_of(const Rule& rule) const { return sources_[rule.source]; }
  // "FILE:LINE" of a rule ("DN" alone for a rule from a directory entry, which has no line).
  std::string location_of(const Rule& rule) const { return source_location(source_of(rule), rule.line); }

  // Internal: tables come only from load() or parse(), so every table is validated.
  struct Index;
  friend std::string explain_lookup(const RuleTable& table, std::string_view address, Direction direction);
  ~RuleTable();
  RuleTable(const RuleTable&) = delete;
  RuleTable& operator=(const RuleTable&) = delete;

 private:
  // is_internal_domain() (external_addresses) or covers_internal_domain() (not).
  bool domain_matches(std::string_view domain, bool external_addresses) const;
  // Takes the rules read (and their text) and an index already built over them (parse() validates and
  // indexes in one pass).
  RuleTable(std::string source_name, std::vector<std::string> sources, detail::RuleStore store,
            std::unique_ptr<Index> index);
  // Validates rules read from sources and builds the table.
  static LoadResult build(const std::string& source_name, std::vector<std::string> sources, detail::RuleStore store,
                          std::vector<ConfigError> errors, std::string_view recipient_delimiter);

  std::string source_name_;
  std::vector<std::string> sources_;
  std::string recipient_delimiter_;
  std::unique_ptr<detail::TextArena> text_;  // the characters rules_ view
  std::vector<Rule> rules_;
  std::unique_ptr<Index> index_;
};

}  // namespace rewrite
