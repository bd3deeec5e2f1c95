// SPDX-License-Identifier: BSD-2-Clause
// rule_table.cpp: building a RuleTable (whole-table validation and indexes) and the mail-time lookup.
#include "rewrite/rule_table.h"

#include <algorithm>
#include <filesystem>

#include "rewrite/address.h"
#include "rewrite/address_check.h"
#include "rewrite/text_input.h"
#include "rule_index.h"
#include "rule_parser.h"

namespace rewrite {
namespace {

using Sources = std::vector<std::string>;

bool ends_with(const std::string& text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Reports rule (at index i) as a second rule for the internal key of rules[first].
void report_duplicate(const std::vector<Rule>& rules, std::uint32_t first, std::uint32_t i, const Sources& sources,
                      std::vector<ConfigError>& errors) {
  const Rule& rule = rules[i];
  const std::string shown = rule.default_name();
  errors.push_back({sources[rule.source], rule.line,
                    "duplicate rule for '" + shown + "' (first at " + source_location(sources[rules[first].source], rules[first].line) +
                        "): each internal " + (rule.kind == RuleKind::address ? "address" : "domain") +
                        " may have one rule only"});
}

// Reports rule (at index i) as a second bidirectional rule for the external address of rules[first].
void report_shared_external(const std::vector<Rule>& rules, std::uint32_t first, std::uint32_t i,
                            const Sources& sources, std::vector<ConfigError>& errors) {
  const Rule& rule = rules[i];
  errors.push_back({sources[rule.source], rule.line,
                    "bidirectional rules must be unique: '" + std::string(rule.internal) + "' and '" +
                        std::string(rules[first].internal) + "' (" +
                        source_location(sources[rules[first].source], rules[first].line) + ") both map to '" +
                        std::string(rule.external) +
                        "', so replies could not be routed back; make one of them outbound-only"});
}

// The checks build_index reports, in the order the problems of one rule are reported.
enum class IndexCheck { duplicate_internal, shared_external };

// A problem build_index found: rule repeats the key of first, the rule that came first.
struct IndexProblem {
  std::uint32_t rule;
  IndexCheck check;
  std::uint32_t first;
};

// Entries for one index, inserted a batch at a time (HashIndex::insert_batch) so that a table far larger
// than the caches and the TLB is written in slot order, not at random. same_key(stored, value) compares
// the keys of two rules; a value it keeps out is recorded in problems as check.
template <class SameKey>
class BatchedIndex {
 public:
  // Up to 2^20 entries (8 MiB) wait; a smaller index waits whole and is inserted in one batch.
  static constexpr std::size_t kBatch = std::size_t{1} << 20;

  // sorted is insert_batch's room, shared by the indexes of one table.
  BatchedIndex(detail::HashIndex& map, std::size_t count, SameKey same_key, IndexCheck check,
               std::vector<IndexProblem>& problems, std::vector<detail::HashIndex::Pending>& sorted)
      : map_(map), same_key_(same_key), check_(check), problems_(problems), sorted_(sorted) {
    map_.reserve(count);
    pending_.reserve(std::min(count, kBatch));
  }

  // Adds rule i under hash; inserts the batch once it is full.
  void add(std::uint64_t hash, std::uint32_t i) {
    pending_.push_back(detail::HashIndex::pending(hash, i));
    if (pending_.size() == kBatch) flush();
  }

  // Inserts what waits.
  void flush() {
    map_.insert_batch(pending_, sorted_, same_key_, [&](std::uint32_t first, std::uint32_t rule) {
      problems_.push_back({rule, check_, first});
    });
    pending_.clear();
  }

 private:
  detail::HashIndex& map_;
  SameKey same_key_;
  IndexCheck check_;
  std::vector<IndexProblem>& problems_;
  std::vector<detail::HashIndex::Pending>& sorted_;
  std::vector<detail::HashIndex::Pending> pending_;
};

// Fills index from rules (fewer than 2^31; the index keeps rule numbers, not views). The first rule for a
// key wins; when errors is not null, every later one is reported there, in rule order (what needs the
// whole table: duplicate internal keys and the uniqueness of bidirectional rules).
void build_index(const std::vector<Rule>& rules, const Sources& sources, RuleTable::Index& index,
                 std::vector<ConfigError>* errors) {
  using Index = RuleTable::Index;
  std::size_t addresses = 0, domains = 0, wildcards = 0, bidirectional = 0;
  for (const Rule& rule : rules) {
    addresses += rule.kind == RuleKind::address;
    domains += rule.kind == RuleKind::domain;
    wildcards += rule.kind == RuleKind::wildcard;
    bidirectional += rule.bidirectional;
  }
  const auto same_internal = [&](std::uint32_t stored, std::uint32_t value) {
    std::string buffer;
    return is_rule_key(rules[stored].internal, comparable_address(rules[value].internal, buffer));
  };
  const auto same_external = [&](std::uint32_t stored, std::uint32_t value) {
    std::string buffer;
    return is_rule_key(rules[stored].external, comparable_address(rules[value].external, buffer));
  };
  std::vector<IndexProblem> problems;
  std::vector<detail::HashIndex::Pending> sorted;
  const IndexCheck duplicate = IndexCheck::duplicate_internal;
  BatchedIndex by_address(index.by_address, addresses, same_internal, duplicate, problems, sorted);
  BatchedIndex by_domain(index.by_domain, domains, same_internal, duplicate, problems, sorted);
  BatchedIndex by_wildcard(index.by_wildcard, wildcards, same_internal, duplicate, problems, sorted);
  BatchedIndex by_external(index.by_external, bidirectional, same_external, IndexCheck::shared_external, problems,
                           sorted);
  const auto count = static_cast<std::uint32_t>(rules.size());
  for (std::uint32_t i = 0; i < count; ++i) {
    const Rule& rule = rules[i];
    const std::uint64_t hash = hash_rule_key(rule.internal);
    if (rule.kind == RuleKind::address) {
      by_address.add(hash, i);
      // Few distinct domains, met again rule after rule: inserted one at a time, mostly found already.
      for (const std::uint32_t value : {2 * i, 2 * i + 1}) {
        const std::string_view domain = Index::address_domain(rules, value);
        index.address_domains.insert(detail::hash_ignoring_case(domain), value, [&](std::uint32_t other) {
          return detail::iequals(Index::address_domain(rules, other), domain);
        });
      }
    } else if (rule.kind == RuleKind::domain) {
      by_domain.add(hash, i);
    } else {
      by_wildcard.add(hash, i);
      index.wildcard_label_counts |= Index::label_bit(label_count(rule.internal));
    }
    if (rule.bidirectional) by_external.add(hash_rule_key(rule.external), i);
  }
  by_address.flush();
  by_domain.flush();
  by_wildcard.flush();
  by_external.flush();
  if (!errors) return;
  std::sort(problems.begin(), problems.end(), [](const IndexProblem& a, const IndexProblem& b) {
    return a.rule != b.rule ? a.rule < b.rule : a.check < b.check;
  });
  for (const IndexProblem& problem : problems) {
    if (problem.check == IndexCheck::duplicate_internal) {
      report_duplicate(rules, problem.first, problem.rule, sources, *errors);
    } else {
      report_shared_external(rules, problem.first, problem.rule, sources, *errors);
    }
  }
}

// Returns where the extension of address's local part starts: the first byte from delimiters in an
// unquoted local part, not its first byte; npos when there is none.
std::size_t extension_start(std::string_view address, std::string_view delimiters) {
  if (delimiters.empty() || address.empty() || address.front() == '"') return std::string_view::npos;
  const std::size_t at = address.rfind('@');
  const std::size_t cut = address.substr(0, at).find_first_of(delimiters);
  return cut == 0 ? std::string_view::npos : cut;
}

// Returns address (local@domain) with extension appended to its local part.
std::string with_extension(std::string_view address, std::string_view extension) {
  const std::size_t at = address.rfind('@');
  std::string out;
  out.reserve(address.size() + extension.size());
  out.append(address.substr(0, at)).append(extension).append(address.substr(at));
  return out;
}

// Returns the rewritten form of local@domain for a domain or wildcard rule: local part kept as written.
std::string with_domain(std::string_view address, std::string_view domain) {
  const std::string_view local_at = address.substr(0, address.rfind('@') + 1);
  std::string out;
  out.reserve(local_at.size() + domain.size());
  out.append(local_at).append(domain);
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

RuleTable::RuleTable(std::string source_name, std::vector<std::string> sources, detail::RuleStore store,
                     std::unique_ptr<Index> index)
    : source_name_(std::move(source_name)),
      sources_(std::move(sources)),
      text_(std::make_unique<detail::TextArena>(std::move(store.text))),
      rules_(std::move(store.rules)),
      index_(std::move(index)) {}

RuleTable::~RuleTable() = default;

LoadResult RuleTable::build(const std::string& source_name, std::vector<std::string> sources, detail::RuleStore store,
                            std::vector<ConfigError> errors, std::string_view recipient_delimiter) {
  LoadResult result;
  result.errors = std::move(errors);
  // One pass both validates and builds the index the table keeps.
  auto index = std::make_unique<Index>();
  build_index(store.rules, sources, *index, &result.errors);
  if (result.errors.empty()) {
    std::unique_ptr<RuleTable> table(new RuleTable(source_name, std::move(sources), std::move(store), std::move(index)));
    table->recipient_delimiter_ = std::string(recipient_delimiter);
    result.table = std::move(table);
  }
  return result;
}

LoadResult RuleTable::from_fields(const std::vector<RuleFields>& entries, const std::string& source_name,
                                  std::string_view recipient_delimiter) {
  detail::RuleStore store;
  std::vector<ConfigError> errors;
  std::vector<std::string> sources;
  sources.reserve(entries.size());
  store.rules.reserve(entries.size());
  for (const RuleFields& entry : entries) {
    detail::parse_rule_fields(entry, static_cast<std::uint32_t>(sources.size()), store, errors);
    sources.push_back(entry.source);
  }
  return build(source_name, std::move(sources), std::move(store), std::move(errors), recipient_delimiter);
}

LoadResult RuleTable::parse(std::string_view text, const std::string& source_name, RuleFormat format,
                            std::string_view recipient_delimiter) {
  detail::RuleStore store;
  std::vector<ConfigError> errors;
  detail::parse_rules_text(text, source_name, format, store, errors);
  return build(source_name, {source_name}, std::move(store), std::move(errors), recipient_delimiter);
}

LoadResult RuleTable::load(const std::string& path, RuleFormat format, std::string_view recipient_delimiter) {
  std::error_code not_a_directory;
  if (std::filesystem::is_directory(path, not_a_directory)) {
    // rules.d: the files a directory holds, in name order, as one table.
    std::vector<std::string> files;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(path, error)) {
      const std::string name = entry.path().filename().string();
      const bool wanted = name[0] != '.' && (ends_with(name, ".rules") || ends_with(name, ".csv"));
      if (wanted && entry.is_regular_file(error)) files.push_back(entry.path().string());
    }
    LoadResult result;
    if (error) {
      result.errors.push_back({path, 0, "cannot read rules directory: " + error.message()});
      return result;
    }
    if (files.empty()) {
      // Most likely the wrong directory (rewrite-milter.conf's own, say): not an empty rule set.
      result.errors.push_back({path, 0, "rules directory holds no file ending in .rules or .csv"});
      return result;
    }
    std::sort(files.begin(), files.end());
    detail::RuleStore store;
    std::vector<ConfigError> errors;
    for (std::size_t i = 0; i < files.size(); ++i) {
      ConfigError read_error;
      const std::optional<std::string> text = read_text_file(files[i], "rules file", read_error);
      if (!text) {
        errors.push_back(std::move(read_error));
        continue;
      }
      const std::size_t first = store.rules.size();
      detail::parse_rules_text(*text, files[i], format, store, errors);
      for (std::size_t r = first; r < store.rules.size(); ++r) store.rules[r].source = static_cast<std::uint32_t>(i);
    }
    return build(path, std::move(files), std::move(store), std::move(errors), recipient_delimiter);
  }
  ConfigError error;
  std::optional<std::string> text = read_text_file(path, "rules file", error);
  if (!text) {
    LoadResult result;
    result.errors.push_back(std::move(error));
    return result;
  }
  // The text is let go before the index is built, so that the two are never in memory together (at
  // 10M rules: 650 MB of text, 400 MB of index).
  detail::RuleStore store;
  std::vector<ConfigError> errors;
  detail::parse_rules_text(*text, path, format, store, errors);
  text.reset();
  return build(path, {path}, std::move(store), std::move(errors), recipient_delimiter);
}

Lookup RuleTable::lookup(std::string_view address, Direction direction) const {
  Lookup result;
  // What is not a valid address is never rewritten (address_check.h), wherever it comes from.
  result.invalid = !is_valid_address(address, true);
  if (result.invalid) return result;
  const std::size_t at = address.rfind('@');
  std::string_view domain = address.substr(at + 1);
  // Rules are written with ASCII domains: a UTF-8 domain (SMTPUTF8) is looked up in its punycode form.
  if (!is_ascii(domain)) {
    if (const std::string ascii = with_ascii_domain(address); !ascii.empty()) return lookup(ascii, direction);
  }
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

  // Rules are keyed by comparable address: "adam"@x is looked up as adam@x. The local part as written
  // stays in address, for the domain and wildcard rules that keep it.
  std::string unquoted;
  const std::string_view key = comparable_address(address, unquoted);
  const std::uint64_t address_hash = detail::hash_ignoring_case(key);
  // The address without its extension, and the extension ("+tag"), for a second address-rule probe.
  const std::size_t cut = extension_start(key, recipient_delimiter_);
  std::string stripped;
  if (cut != std::string_view::npos) stripped = std::string(key.substr(0, cut)).append(key.substr(key.rfind('@')));
  const std::string_view extension =
      cut == std::string_view::npos ? std::string_view() : key.substr(cut, key.rfind('@') - cut);
  if (direction == Direction::inbound) {
    std::uint32_t found = index_->find_external(rules_, key, address_hash);
    if (found != Index::kNone) return fire(found, std::string(rules_[found].internal));
    if (!stripped.empty()) {
      found = index_->find_external(rules_, stripped, detail::hash_ignoring_case(stripped));
      if (found != Index::kNone) return fire(found, with_extension(rules_[found].internal, extension));
    }
    return result;
  }

  // Start every probe's memory access before checking any, so that their cache misses overlap.
  const std::uint64_t domain_hash = detail::hash_ignoring_case(domain);
  index_->by_address.prefetch(address_hash);
  index_->by_domain.prefetch(domain_hash);
  WildcardSuffixes wildcards(*index_, domain, domain_hash);

  if (const std::uint32_t found = Index::find_internal(index_->by_address, rules_, key, address_hash);
      found != Index::kNone) {
    return fire(found, std::string(rules_[found].external));
  }
  if (!stripped.empty()) {
    const std::uint32_t found =
        Index::find_internal(index_->by_address, rules_, stripped, detail::hash_ignoring_case(stripped));
    if (found != Index::kNone) return fire(found, with_extension(rules_[found].external, extension));
  }
  if (const std::uint32_t found = Index::find_internal(index_->by_domain, rules_, domain, domain_hash);
      found != Index::kNone) {
    return fire(found, with_domain(address, rules_[found].external));
  }
  // Most specific wildcard first: the whole domain, then each parent at a label boundary.
  std::string_view suffix;
  std::uint64_t suffix_hash = 0;
  while (wildcards.next(suffix, suffix_hash)) {
    const std::uint32_t found = Index::find_internal(index_->by_wildcard, rules_, suffix, suffix_hash);
    if (found == Index::kNone) continue;
    const Rule& rule = rules_[found];
    for (const std::string_view exception : rule.exceptions) {
      if (detail::is_within_domain(domain, exception)) return result;  // excepted: no wildcard applies
    }
    return fire(found, with_domain(address, rule.external));
  }
  return result;
}

bool RuleTable::domain_matches(std::string_view domain, bool external_addresses) const {
  // One walk for both questions: a domain rule, an address rule's domain (the internal side, or either),
  // then the wildcards from the most specific suffix up.
  if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
  if (domain.empty()) return false;
  const std::uint64_t hash = detail::hash_ignoring_case(domain);
  if (Index::find_internal(index_->by_domain, rules_, domain, hash) != Index::kNone) return true;
  const bool address_domain = index_->address_domains.find(hash, [&](std::uint32_t value) {
    return (external_addresses || value % 2 == 0) && detail::iequals(Index::address_domain(rules_, value), domain);
  }) != Index::kNone;
  if (address_domain) return true;
  WildcardSuffixes wildcards(*index_, domain, hash);
  std::string_view suffix;
  std::uint64_t suffix_hash = 0;
  while (wildcards.next(suffix, suffix_hash)) {
    if (Index::find_internal(index_->by_wildcard, rules_, suffix, suffix_hash) != Index::kNone) return true;
  }
  return false;
}

bool RuleTable::covers_internal_domain(std::string_view domain) const { return domain_matches(domain, false); }

bool RuleTable::is_internal_domain(std::string_view domain) const { return domain_matches(domain, true); }

}  // namespace rewrite
