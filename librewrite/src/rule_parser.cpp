// SPDX-License-Identifier: BSD-2-Clause
// rule_parser.cpp: parsing of native and Exchange CSV rules files into checked Rule values.
#include "rule_parser.h"

#include <algorithm>
#include <optional>

#include "gmime_address_list.h"
#include "rewrite/address.h"
#include "rewrite/address_check.h"
#include "rewrite/text_input.h"
#include "text_util.h"

namespace rewrite::detail {
namespace {


// What one line or CSV record says about a rule, before checking.
struct RuleSpec {
  std::string internal;
  std::string external;
  std::optional<bool> outbound_only;  // unset: the default for the rule's kind
  std::vector<std::string> exceptions;
  std::string name;
  int line = 0;
};

// Returns why text is not a usable domain name for a rule, or "" when it is: address_check.h's domain,
// ASCII only, and one GMime reads back as written (the rewritten headers must parse as written).
std::string rule_domain_problem(std::string_view text) {
  if (!is_ascii(text)) return "non-ASCII domain '" + printable(text) + "' (write it in its punycode xn-- form)";
  if (std::string problem = domain_problem(text); !problem.empty()) return problem;
  std::string_view bare = text;
  if (!bare.empty() && bare.back() == '.') bare.remove_suffix(1);
  if (has_punycode_label(bare) && !detail::domain_round_trips(std::string(bare))) {  // rare: GMime only then
    return "invalid punycode (xn--) label in domain '" + std::string(bare) + "'";
  }
  return "";
}

// Returns why text is not a usable addr-spec (local@domain) for a rule, or "" when it is.
std::string rule_address_problem(std::string_view text) {
  const auto parts = split_address(text);
  const std::string shown = printable(text);
  if (!parts) return "'" + shown + "' is not an address (local@domain)";
  if (!is_ascii(parts->local)) return "non-ASCII local part in '" + shown + "'";
  if (!local_part_problem(parts->local, false).empty()) {
    return "invalid local part in '" + shown +
           "' (expected letters, digits and !#$%&'*+-/=?^_`{|}~ joined by single dots, or a quoted string)";
  }
  const std::string problem = rule_domain_problem(parts->domain);
  return problem.empty() ? "" : problem + " in '" + shown + "'";
}

// Returns the address with its domain normalised (lower case, no trailing dot), local part as written.
std::string normalize_address(std::string_view text) {
  const auto parts = split_address(text);
  return parts->local + "@" + normalize_domain(parts->domain);
}

// Checks one rule on its own and appends it to store (its text to store.text), or its problems to errors.
void add_rule(const RuleSpec& spec, const std::string& source, RuleStore& store, std::vector<ConfigError>& errors) {
  const std::size_t errors_before = errors.size();
  const auto fail = [&](const std::string& reason) { errors.push_back({source, spec.line, reason}); };
  const std::string_view internal = spec.internal;
  const std::string_view external = spec.external;

  Rule rule;
  rule.line = spec.line;
  // The normalised sides and exceptions, copied into the store's text once the rule is known good.
  std::string internal_side;
  std::string external_side;
  std::vector<std::string> exceptions;
  const bool internal_is_address = internal.find('@') != std::string_view::npos;

  if (internal.rfind("*.", 0) == 0) {
    rule.kind = RuleKind::wildcard;
    const std::string_view domain = internal.substr(2);
    if (domain.find('*') != std::string_view::npos) {
      fail("invalid wildcard '" + spec.internal + "': only one leading '*.' is allowed");
    } else if (domain.find('@') != std::string_view::npos) {
      fail("invalid wildcard '" + spec.internal + "': wildcards apply to domains, not addresses");
    } else if (const std::string problem = rule_domain_problem(domain); !problem.empty()) {
      fail(problem);
    } else {
      internal_side = normalize_domain(domain);
    }
  } else if (internal.find('*') != std::string_view::npos) {
    fail("invalid wildcard '" + spec.internal + "': a wildcard is '*.' followed by a domain, nothing before it");
  } else if (internal_is_address) {
    rule.kind = RuleKind::address;
    if (const std::string problem = rule_address_problem(internal); !problem.empty()) {
      fail(problem);
    } else {
      internal_side = normalize_address(internal);
    }
  } else {
    rule.kind = RuleKind::domain;
    if (const std::string problem = rule_domain_problem(internal); !problem.empty()) {
      fail(problem);
    } else {
      internal_side = normalize_domain(internal);
    }
  }

  if (external.find('*') != std::string_view::npos) {
    fail("wildcards are allowed only on the internal side; the external side '" + spec.external +
         "' must be one literal address or domain");
  } else if (rule.kind == RuleKind::address) {
    if (external.find('@') == std::string_view::npos) {
      fail("address rule maps '" + spec.internal + "' to '" + spec.external +
           "': an address rule must map to a full address");
    } else if (const std::string problem = rule_address_problem(external); !problem.empty()) {
      fail(problem);
    } else {
      external_side = normalize_address(external);
    }
  } else {
    if (external.find('@') != std::string_view::npos) {
      fail(std::string("a ") + to_string(rule.kind) + " rule must map to a domain, not the address '" +
           spec.external + "'");
    } else if (const std::string problem = rule_domain_problem(external); !problem.empty()) {
      fail(problem);
    } else {
      external_side = normalize_domain(external);
    }
  }

  if (spec.outbound_only.has_value() && !*spec.outbound_only && rule.kind != RuleKind::address) {
    fail(rule.kind == RuleKind::wildcard
             ? "wildcard rules are outbound-only; a bidirectional wildcard is not allowed"
             : "bidirectional rules need full addresses on both sides; a domain rule is outbound-only");
  }
  rule.bidirectional = rule.kind == RuleKind::address && !spec.outbound_only.value_or(false);

  if (!spec.exceptions.empty() && rule.kind != RuleKind::wildcard) {
    fail("exceptions are allowed only on wildcard rules");
  }
  for (const std::string& exception : spec.exceptions) {
    if (rule.kind != RuleKind::wildcard) break;
    if (const std::string problem = rule_domain_problem(exception); !problem.empty()) {
      fail("exception: " + problem);
      continue;
    }
    std::string normalized = normalize_domain(exception);
    if (!internal_side.empty() && !is_within_domain(normalized, internal_side)) {
      fail("exception '" + exception + "' is not covered by '*." + internal_side + "'");
      continue;
    }
    exceptions.push_back(std::move(normalized));
  }

  if (errors.size() != errors_before) return;
  rule.internal = store.text.store(internal_side);
  rule.external = store.text.store(external_side);
  if (!exceptions.empty()) {
    std::vector<std::string_view> views;
    for (const std::string& exception : exceptions) views.push_back(store.text.store(exception));
    rule.exceptions = DomainList(store.text.store(views.data(), views.size()), static_cast<std::uint32_t>(views.size()));
  }
  const std::string& name = spec.name.empty() ? spec.internal : spec.name;
  if (!rule.is_default_name(name)) rule.given_name = store.text.store(name);
  store.rules.push_back(rule);
}

// Reads a rule's fields (INTERNAL EXTERNAL [options], as a native line has them) into spec; returns
// false after reporting errors at source:line_number (line 0: no line, a directory entry).
bool parse_fields(const std::vector<std::string_view>& fields, int line_number, const std::string& source,
                  RuleSpec& spec, std::vector<ConfigError>& errors) {
  const auto fail = [&](const std::string& reason) {
    errors.push_back({source, line_number, reason});
    return false;
  };
  if (fields.size() < 2) return fail("expected 'INTERNAL EXTERNAL [options]', found only one field");
  spec.internal = std::string(fields[0]);
  spec.external = std::string(fields[1]);
  spec.line = line_number;
  bool ok = true;
  bool seen_except = false;
  bool seen_name = false;
  for (std::size_t i = 2; i < fields.size(); ++i) {
    const std::string_view option = fields[i];
    if (option == "outbound-only" || option == "bidirectional") {
      const bool outbound_only = option == "outbound-only";
      if (spec.outbound_only.has_value()) {
        ok = fail(spec.outbound_only.value() == outbound_only ? "option '" + std::string(option) + "' given twice"
                                                              : "'outbound-only' and 'bidirectional' contradict each other");
      }
      spec.outbound_only = outbound_only;
    } else if (option.rfind("except=", 0) == 0) {
      if (seen_except) ok = fail("option 'except=' given twice");
      seen_except = true;
      spec.exceptions = split_list(option.substr(7));
      if (spec.exceptions.empty()) ok = fail("option 'except=' needs at least one domain");
    } else if (option.rfind("name=", 0) == 0) {
      if (seen_name) ok = fail("option 'name=' given twice");
      seen_name = true;
      spec.name = std::string(option.substr(5));
      if (spec.name.empty()) ok = fail("option 'name=' needs a value");
    } else {
      ok = fail("unknown option '" + std::string(option) +
                "' (expected outbound-only, bidirectional, except=DOMAINS or name=NAME)");
    }
  }
  return ok;
}

// Splits one CSV record into fields ("" escapes a quote inside a quoted field); false on a bad quote.
bool split_csv(std::string_view line, std::vector<std::string>& fields) {
  fields.clear();
  std::string current;
  bool quoted = false;
  bool was_quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        current += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        current += c;
      }
    } else if (c == '"') {
      if (!current.empty() || was_quoted) return false;
      quoted = was_quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(current));
      current.clear();
      was_quoted = false;
    } else {
      if (was_quoted && c != ' ' && c != '\t') return false;
      current += c;
    }
  }
  if (quoted) return false;
  fields.push_back(std::move(current));
  return true;
}


// Where Exchange's columns stand in a CSV export (-1: absent), and how many columns a record has. A full
// Get-AddressRewriteEntry | Export-Csv has more columns (Identity, Guid, ...) in its own order; only these
// are read.
struct CsvColumns {
  int name = -1;
  int internal = -1;
  int external = -1;
  int exceptions = -1;
  int outbound = -1;
  std::size_t count = 0;
};

// Reads line as the header of an Exchange CSV export: the columns by name (any case, quoted or not, any
// order). Returns nullopt unless InternalAddress and ExternalAddress are both there.
std::optional<CsvColumns> csv_header(std::string_view line) {
  std::vector<std::string> fields;
  if (!split_csv(line, fields)) return std::nullopt;
  CsvColumns columns;
  columns.count = fields.size();
  for (std::size_t i = 0; i < fields.size(); ++i) {
    std::string name;
    for (const char c : trim_blanks(fields[i])) name += ascii_lower(c);
    int* column = name == "name"              ? &columns.name
                  : name == "internaladdress" ? &columns.internal
                  : name == "externaladdress" ? &columns.external
                  : name == "exceptionlist"   ? &columns.exceptions
                  : name == "outboundonly"    ? &columns.outbound
                                              : nullptr;
    if (column != nullptr && *column < 0) *column = static_cast<int>(i);
  }
  if (columns.internal < 0 || columns.external < 0) return std::nullopt;
  return columns;
}

// Parses one CSV record into spec, reading the columns the header named; returns false after reporting
// errors.
bool parse_csv_line(std::string_view line, const CsvColumns& columns, int line_number, const std::string& source,
                    RuleSpec& spec, std::vector<ConfigError>& errors) {
  const auto fail = [&](const std::string& reason) {
    errors.push_back({source, line_number, reason});
    return false;
  };
  std::vector<std::string> fields;
  if (!split_csv(line, fields)) return fail("unbalanced or misplaced quote in CSV record");
  if (fields.size() != columns.count) {
    return fail("expected " + std::to_string(columns.count) + " CSV fields (as the header has), found " +
                std::to_string(fields.size()));
  }
  const auto field = [&](int column) { return column < 0 ? std::string() : std::string(trim_blanks(fields[column])); };
  spec.name = field(columns.name);
  spec.internal = field(columns.internal);
  spec.external = field(columns.external);
  spec.line = line_number;
  if (spec.internal.empty() || spec.external.empty()) return fail("InternalAddress and ExternalAddress must not be empty");
  const std::string exceptions = field(columns.exceptions);
  if (exceptions.rfind("Microsoft.", 0) == 0 || exceptions.rfind("System.", 0) == 0) {
    // Export-Csv writes a multi-valued property as its .NET type name unless the values are joined.
    return fail("ExceptionList holds the type name '" + exceptions +
                "', not the domains: export it with @{n='ExceptionList';e={$_.ExceptionList -join ','}}");
  }
  spec.exceptions = split_list(exceptions);
  std::string outbound;
  for (const char c : field(columns.outbound)) outbound += ascii_lower(c);
  if (outbound == "true" || outbound == "1" || outbound == "yes") {
    spec.outbound_only = true;
  } else if (outbound == "false" || outbound == "0" || outbound == "no") {
    spec.outbound_only = false;
  } else if (!outbound.empty()) {
    return fail("OutboundOnly must be True or False, found '" + field(columns.outbound) + "'");
  }
  return true;
}

}  // namespace

void parse_rules_text(std::string_view text, const std::string& source_name, RuleFormat format, RuleStore& store,
                      std::vector<ConfigError>& errors) {
  std::vector<Rule>& rules = store.rules;
  std::optional<CsvColumns> csv;  // set once the CSV header is read
  bool header_seen = false;
  // Room for a rule per line up front: growing by doubling would move every rule again and again and,
  // at 10M rules, hold a vector twice the size it needs (and, while it moves, three times).
  const std::size_t wanted = rules.size() + static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  if (wanted > rules.capacity()) rules.reserve(std::max(wanted, rules.size() + rules.size() / 2));
  TextLines lines(text, source_name);
  std::string_view line;
  std::vector<std::string_view> fields;  // one line's fields, its room reused for the next
  while (lines.next(line, errors)) {
    const int line_number = lines.number();
    const std::string_view content = line;
    if (!header_seen) {
      header_seen = true;
      if (format != RuleFormat::native) csv = csv_header(content);
      if (csv) continue;
      if (format == RuleFormat::csv) {
        errors.push_back({source_name, line_number,
                          "expected the CSV header of an Exchange export (Name,InternalAddress,ExternalAddress,"
                          "ExceptionList,OutboundOnly; InternalAddress and ExternalAddress at least)"});
        return;
      }
    }
    RuleSpec spec;
    bool parsed = false;
    if (csv) {
      parsed = parse_csv_line(content, *csv, line_number, source_name, spec, errors);
    } else {
      split_fields(content, fields);
      parsed = parse_fields(fields, line_number, source_name, spec, errors);
    }
    if (parsed) add_rule(spec, source_name, store, errors);
  }
}

void parse_rule_fields(const RuleFields& entry, std::uint32_t source_index, RuleStore& store,
                       std::vector<ConfigError>& errors) {
  std::vector<std::string_view> fields = {entry.internal, entry.external};
  for (const std::string& option : entry.options) fields.push_back(option);
  RuleSpec spec;
  // A rules file has no line break or NUL inside a field, and neither may an entry.
  for (const std::string_view field : fields) {
    if (field.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
      errors.push_back({entry.source, 0, "a line break or NUL in '" + std::string(field) + "'"});
      return;
    }
  }
  if (entry.name.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
    errors.push_back({entry.source, 0, "a line break or NUL in the entry's name"});
    return;
  }
  if (entry.internal.empty() || entry.external.empty()) {
    errors.push_back({entry.source, 0, entry.internal.empty() ? "no internal address or domain"
                                                              : "no external address or domain"});
    return;
  }
  if (!parse_fields(fields, 0, entry.source, spec, errors)) return;
  if (spec.name.empty()) spec.name = entry.name;
  const std::size_t before = store.rules.size();
  add_rule(spec, entry.source, store, errors);
  if (store.rules.size() != before) store.rules.back().source = source_index;
}

}  // namespace rewrite::detail
