// rule_table.cpp: building a RuleTable (whole-table validation and indexes) and the mail-time lookup.
#include "rewrite/rule_table.h"

#include <fstream>
#include <sstream>

#include "rewrite/address.h"
#include "rule_index.h"
#include "rule_parser.h"

namespace rewrite {
namespace {

// Returns "source:line" for messages that point at another rule.
std::string where(const std::string& source, int line) { return source + ":" + std::to_string(line); }

// Returns the domain part of an address rule's side (after the last '@').
std::string_view domain_of(std::string_view address) { return address.substr(address.rfind('@') + 1); }

// Sizes every map of index for rules, so that filling it never rehashes.
void reserve_index(const std::vector<Rule>& rules, RuleTable::Index& index) {
  std::size_t addresses = 0, domains = 0, wildcards = 0, bidirectional = 0;
  for (const Rule& rule : rules) {
    addresses += rule.kind == RuleKind::address;
    domains += rule.kind == RuleKind::domain;
    wildcards += rule.kind == RuleKind::wildcard;
    bidirectional += rule.bidirectional;
  }
  index.by_address.reserve(addresses);
  index.by_domain.reserve(domains);
  index.by_wildcard.reserve(wildcards);
  index.by_external.reserve(bidirectional);
  index.address_domains.reserve(2 * addresses);
}

// Reports rule (at index i) as a second rule for the internal key of rules[first].
void report_duplicate(const std::vector<Rule>& rules, std::uint32_t first, std::uint32_t i, const std::string& source,
                      std::vector<ConfigError>& errors) {
  const Rule& rule = rules[i];
  const std::string shown = rule.kind == RuleKind::wildcard ? "*." + rule.internal : rule.internal;
  errors.push_back({source, rule.line,
                    "duplicate rule for '" + shown + "' (first at " + where(source, rules[first].line) +
                        "): each internal " + (rule.kind == RuleKind::address ? "address" : "domain") +
                        " may have one rule only"});
}

// Reports rule (at index i) as a second bidirectional rule for the external address of rules[first].
void report_shared_external(const std::vector<Rule>& rules, std::uint32_t first, std::uint32_t i,
                            const std::string& source, std::vector<ConfigError>& errors) {
  const Rule& rule = rules[i];
  errors.push_back({source, rule.line,
                    "bidirectional rules must be unique: '" + rule.internal + "' and '" + rules[first].internal +
                        "' (" + where(source, rules[first].line) + ") both map to '" + rule.external +
                        "', so replies could not be routed back; make one of them outbound-only"});
}

// Fills index from rules, which must not move afterwards (keys are views into them). The first rule for a
// key wins; when errors is not null, every later one is reported there (what needs the whole table:
// duplicate internal keys and the uniqueness of bidirectional rules).
void build_index(const std::vector<Rule>& rules, const std::string& source, RuleTable::Index& index,
                 std::vector<ConfigError>* errors) {
  reserve_index(rules, index);
  for (std::uint32_t i = 0; i < rules.size(); ++i) {
    const Rule& rule = rules[i];
    RuleTable::Index::Map& map = rule.kind == RuleKind::address  ? index.by_address
                                 : rule.kind == RuleKind::domain ? index.by_domain
                                                                 : index.by_wildcard;
    const auto [it, inserted] = map.emplace(rule.internal, i);
    if (!inserted && errors) report_duplicate(rules, it->second, i, source, *errors);
    if (rule.kind == RuleKind::wildcard) index.wildcard_label_counts |= index.label_bit(label_count(rule.internal));
    if (rule.kind == RuleKind::address) {
      index.address_domains.insert(domain_of(rule.internal));
      index.address_domains.insert(domain_of(rule.external));
    }
    if (rule.bidirectional) {
      const auto [ext, fresh] = index.by_external.emplace(rule.external, i);
      if (!fresh && errors) report_shared_external(rules, ext->second, i, source, *errors);
    }
  }
}

// Returns the rewritten form of local@domain for a domain or wildcard rule: local part kept as written.
std::string with_domain(std::string_view address, const std::string& domain) {
  std::string out(address.substr(0, address.rfind('@') + 1));
  out += domain;
  return out;
}

}  // namespace

const char* to_string(RuleKind kind) {
  switch (kind) {
    case RuleKind::address: return "address";
    case RuleKind::domain: return "domain";
    case RuleKind::wildcard: return "wildcard";
  }
  return "unknown";
}

const char* to_string(Direction direction) { return direction == Direction::outbound ? "outbound" : "inbound"; }

RuleTable::RuleTable(std::string source_name, std::vector<Rule> rules)
    : source_name_(std::move(source_name)), rules_(std::move(rules)), index_(std::make_unique<Index>()) {
  build_index(rules_, source_name_, *index_, nullptr);
}

RuleTable::RuleTable(std::string source_name, std::vector<Rule> rules, std::unique_ptr<Index> index)
    : source_name_(std::move(source_name)), rules_(std::move(rules)), index_(std::move(index)) {}

RuleTable::~RuleTable() = default;

LoadResult RuleTable::parse(std::string_view text, const std::string& source_name, RuleFormat format) {
  std::vector<Rule> rules;
  LoadResult result;
  detail::parse_rules_text(text, source_name, format, rules, result.errors);
  // One pass both validates and builds the index the table keeps; moving the vector keeps its elements
  // (and so the index's keys) where they are.
  auto index = std::make_unique<Index>();
  build_index(rules, source_name, *index, &result.errors);
  if (result.errors.empty()) {
    result.table.reset(new RuleTable(source_name, std::move(rules), std::move(index)));
  }
  return result;
}

LoadResult RuleTable::load(const std::string& path, RuleFormat format) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult result;
    result.errors.push_back({path, 0, "cannot open rules file"});
    return result;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    LoadResult result;
    result.errors.push_back({path, 0, "cannot read rules file"});
    return result;
  }
  return parse(text.str(), path, format);
}

Lookup RuleTable::lookup(std::string_view address, Direction direction) const {
  Lookup result;
  const std::size_t at = address.rfind('@');
  if (address.empty() || at == std::string_view::npos || at == 0 || at + 1 == address.size()) return result;
  std::string_view domain = address.substr(at + 1);
  if (domain.back() == '.') {
    domain.remove_suffix(1);
    address.remove_suffix(1);
  }
  if (domain.empty()) return result;

  const auto fire = [&](std::uint32_t index, std::string rewritten) {
    result.rewritten = true;
    result.rule = &rules_[index];
    result.address = std::move(rewritten);
    return result;
  };

  if (direction == Direction::inbound) {
    const auto it = index_->by_external.find(address);
    if (it != index_->by_external.end()) return fire(it->second, rules_[it->second].internal);
    return result;
  }

  if (const auto it = index_->by_address.find(address); it != index_->by_address.end()) {
    return fire(it->second, rules_[it->second].external);
  }
  if (const auto it = index_->by_domain.find(domain); it != index_->by_domain.end()) {
    return fire(it->second, with_domain(address, rules_[it->second].external));
  }
  // Most specific wildcard first: the whole domain, then each parent at a label boundary; only suffixes
  // with as many labels as some wildcard rule has are probed.
  std::string_view suffix = domain;
  for (std::size_t labels = label_count(domain);; --labels) {
    const auto it = index_->has_wildcards_of(labels) ? index_->by_wildcard.find(suffix) : index_->by_wildcard.end();
    if (it != index_->by_wildcard.end()) {
      const Rule& rule = rules_[it->second];
      for (const std::string& exception : rule.exceptions) {
        if (detail::is_within_domain(domain, exception)) return result;  // excepted: no wildcard applies
      }
      return fire(it->second, with_domain(address, rule.external));
    }
    const std::size_t dot = suffix.find('.');
    if (dot == std::string_view::npos) break;
    suffix.remove_prefix(dot + 1);
  }
  return result;
}

bool RuleTable::is_internal_domain(std::string_view domain) const {
  if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
  if (domain.empty()) return false;
  if (index_->by_domain.count(domain) || index_->address_domains.count(domain)) return true;
  std::string_view suffix = domain;
  for (std::size_t labels = label_count(domain);; --labels) {
    if (index_->has_wildcards_of(labels) && index_->by_wildcard.count(suffix)) return true;
    const std::size_t dot = suffix.find('.');
    if (dot == std::string_view::npos) return false;
    suffix.remove_prefix(dot + 1);
  }
}

}  // namespace rewrite
