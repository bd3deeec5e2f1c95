// SPDX-License-Identifier: BSD-2-Clause
// collisions.cpp: checking a rule table against the organisation's address list (see collisions.h).
#include "rewrite/offline/collisions.h"

#include <algorithm>
#include <cstddef>
#include <map>
#include <set>
#include <utility>

#include "rewrite/address.h"
#include "rewrite/text_input.h"
#include "text_util.h"

namespace rewrite {
namespace {

// Returns the comparison key of an address: local part (in comparable form, so "adam" is adam) and
// domain lower-cased, trailing dot dropped.
std::string address_key(std::string_view address) {
  const auto parts = split_address(address);
  if (!parts) {
    return normalize_domain(address);
  }
  std::string buffer;
  return normalize_domain(comparable_local_part(parts->local, buffer)) + "@" + normalize_domain(parts->domain);
}

// Returns the domain of an address in normalised form, or "" when it has none.
std::string domain_key(std::string_view address) {
  const auto parts = split_address(address);
  return parts ? normalize_domain(parts->domain) : std::string();
}

// One listed address that outbound rewriting changes.
struct Rewritten {
  std::string original;
  std::string result;
  std::size_t mailbox = 0;
  const Rule* rule = nullptr;
};

// The state of one check: the list, its address index and the findings so far.
class Checker {
 public:
  Checker(const RuleTable& table, const AddressList& list) : table_(table), list_(list) {
    for (std::size_t m = 0; m < list.mailboxes.size(); ++m) {
      for (const std::string& address : list.mailboxes[m].addresses) {
        owner_.emplace(address_key(address), m);
      }
    }
  }

  // Runs every check and returns the findings in report order.
  std::vector<Finding> run() {
    check_list();
    for (const Rule& rule : table_.rules()) {
      check_chain(rule);
      check_bidirectional(rule);
    }
    return std::move(findings_);
  }

 private:
  // Collisions and undeliverable results, in list order.
  void check_list() {
    std::vector<Rewritten> rewritten;
    std::map<std::string, std::vector<std::size_t>> by_result;  // result key -> entries
    for (std::size_t m = 0; m < list_.mailboxes.size(); ++m) {
      for (const std::string& address : list_.mailboxes[m].addresses) {
        const Lookup lookup = table_.lookup(address, Direction::outbound);
        if (lookup.rewritten && address_key(lookup.address) != address_key(address)) {
          by_result[address_key(lookup.address)].push_back(rewritten.size());
          rewritten.push_back(Rewritten{address, lookup.address, m, lookup.rule});
        }
      }
    }
    std::set<std::string> reported;
    for (const Rewritten& entry : rewritten) {
      const std::string key = address_key(entry.result);
      if (reported.insert(key).second) {
        report_collision(rewritten, by_result[key]);
      }
      report_if_undeliverable(entry);
      report_if_chained(entry);
    }
  }

  // Reports one collision when the entries, with the mailbox whose own address their result already is
  // (unless a bidirectional rule routes that address back inbound), come from two or more mailboxes.
  void report_collision(const std::vector<Rewritten>& rewritten,
                        const std::vector<std::size_t>& entries) {
    std::set<std::size_t> mailboxes;
    for (const std::size_t e : entries) {
      mailboxes.insert(rewritten[e].mailbox);
    }
    const std::string& result = rewritten[entries.front()].result;
    const auto holder = owner_.find(address_key(result));
    const bool held = holder != owner_.end() && !table_.lookup(result, Direction::inbound).rewritten &&
                      mailboxes.insert(holder->second).second;
    if (mailboxes.size() < 2) {
      return;
    }
    std::string detail;
    std::vector<std::string> rules;  // distinct rule descriptions, in order
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const Rewritten& entry = rewritten[entries[i]];
      if (i > 0) {
        detail += i + 1 == entries.size() ? " and " : ", ";
      }
      detail += entry.original + " (line " + std::to_string(line_of(entry)) + ")";
      const std::string rule = cite(entry.rule);
      if (std::find(rules.begin(), rules.end(), rule) == rules.end()) {
        rules.push_back(rule);
      }
    }
    const Rewritten& first = rewritten[entries.front()];
    detail += entries.size() == 1 ? " becomes " : entries.size() == 2 ? " both become " : " all become ";
    detail += first.result + " (";
    for (std::size_t i = 0; i < rules.size(); ++i) {
      detail += (i > 0 ? "; " : "") + rules[i];
    }
    detail += ")";
    if (held) {
      const Mailbox& other = list_.mailboxes[holder->second];
      detail += ", already the address of the mailbox " +
                (other.source.empty() ? "on line " + std::to_string(other.line) : other.source);
    }
    detail += "; replies cannot tell the mailboxes apart: give all but one of them an address that "
              "does not collide";
    add(Finding::Kind::collision, file_of(first), line_of(first), std::move(detail));
  }

  // Reports an address whose rewritten form no mailbox receives and no rule maps back inbound.
  void report_if_undeliverable(const Rewritten& entry) {
    if (owner_.count(address_key(entry.result)) > 0) {
      return;
    }
    if (table_.lookup(entry.result, Direction::inbound).rewritten) {
      return;
    }
    add(Finding::Kind::undeliverable, file_of(entry), line_of(entry),
        entry.original + " becomes " + entry.result + " (" + cite(entry.rule) +
            "), which is no mailbox's address and no bidirectional rule maps back: replies would "
            "bounce; add " + entry.result + " as a proxy address of the mailbox");
  }

  // Reports a listed address that a domain or wildcard rule rewrites into an address that an address
  // rule would rewrite again (chains between whole rules are reported by check_chain).
  void report_if_chained(const Rewritten& entry) {
    if (entry.rule == nullptr || entry.rule->kind == RuleKind::address) {
      return;
    }
    const Lookup again = table_.lookup(entry.result, Direction::outbound);
    if (again.rewritten && again.rule != nullptr && again.rule->kind == RuleKind::address &&
        address_key(again.address) != address_key(entry.result)) {
      add(Finding::Kind::chain, file_of(entry), line_of(entry),
          entry.original + " becomes " + entry.result + " (" + cite(entry.rule) +
              "), which " + describe_rule(again.rule) + " would rewrite to " + again.address +
              "; rewriting is applied once, so it leaves as " + entry.result);
    }
  }

  // Reports a rule whose external side another rule would rewrite again.
  void check_chain(const Rule& rule) {
    if (rule.kind == RuleKind::address) {
      const Lookup again = table_.lookup(rule.external, Direction::outbound);
      if (again.rewritten && again.rule != &rule &&
          address_key(again.address) != address_key(rule.external)) {
        add(Finding::Kind::chain, table_.source_of(rule), rule.line,
            describe(rule) + " rewrites to " + std::string(rule.external) + ", which " +
                describe_rule(again.rule) + " would rewrite to " + again.address +
                "; rewriting is applied once, so the result stays " + std::string(rule.external));
      }
      return;
    }
    const std::string domain = normalize_domain(rule.external);
    // Any local part would do; this one is unlikely to be named by an address rule.
    const std::string probe = "rewrite-test-probe@" + domain;
    const Lookup again = table_.lookup(probe, Direction::outbound);
    if (again.rewritten && again.rule != &rule && again.rule != nullptr &&
        again.rule->kind != RuleKind::address && domain_key(again.address) != domain) {
      add(Finding::Kind::chain, table_.source_of(rule), rule.line,
          describe(rule) + " rewrites to domain " + domain + ", which " +
              describe_rule(again.rule) + " would rewrite to " + domain_key(again.address) +
              "; rewriting is applied once, so the result stays " + domain);
    }
  }

  // Reports a bidirectional rule whose external address is another mailbox's address.
  void check_bidirectional(const Rule& rule) {
    if (rule.kind != RuleKind::address || !rule.bidirectional) {
      return;
    }
    const auto external = owner_.find(address_key(rule.external));
    if (external == owner_.end()) {
      return;
    }
    const auto internal = owner_.find(address_key(rule.internal));
    if (internal != owner_.end() && internal->second == external->second) {
      return;
    }
    const std::string from(rule.internal);
    const std::string to(rule.external);
    add(Finding::Kind::bidirectional_conflict, table_.source_of(rule), rule.line,
        describe(rule) + " maps " + from + " to " + to + " in both directions, but " + to +
            " is the address of another mailbox (" + place_of(list_.mailboxes[external->second]) +
            "): mail to it would be delivered to " + from);
  }

  // Returns where a rewritten entry's mailbox is: the list and its line, or the entry's DN (line 0).
  const std::string& file_of(const Rewritten& entry) const {
    const Mailbox& mailbox = list_.mailboxes[entry.mailbox];
    return mailbox.source.empty() ? list_.source_name : mailbox.source;
  }
  int line_of(const Rewritten& entry) const { return list_.mailboxes[entry.mailbox].line; }
  std::string place_of(const Mailbox& mailbox) const {
    return mailbox.source.empty() ? source_location(list_.source_name, mailbox.line) : mailbox.source;
  }

  // Returns "rule NAME (RULES:LINE)".
  std::string describe(const Rule& rule) const {
    return "rule " + rule.name() + " (" + table_.location_of(rule) + ")";
  }

  // Like describe(), or "no rule" for a null rule.
  std::string describe_rule(const Rule* rule) const { return rule ? describe(*rule) : "no rule"; }

  // Returns "rule NAME, RULES:LINE" for use inside parentheses, or "no rule".
  std::string cite(const Rule* rule) const {
    return rule ? "rule " + rule->name() + ", " + table_.location_of(*rule) : "no rule";
  }

  // Appends one finding.
  void add(Finding::Kind kind, const std::string& file, int line, std::string detail) {
    findings_.push_back(Finding{kind, file, line, std::move(detail)});
  }

  const RuleTable& table_;
  const AddressList& list_;
  std::map<std::string, std::size_t> owner_;  // address key -> first mailbox listing it
  std::vector<Finding> findings_;
};

}  // namespace

AddressList parse_address_list(std::string_view text, const std::string& source_name) {
  AddressList list;
  list.source_name = source_name;
  std::map<std::string, int> seen;  // address key -> line
  TextLines lines(text, source_name);
  std::string_view line;
  while (lines.next(line, list.errors)) {
    const int line_number = lines.number();
    Mailbox mailbox;
    mailbox.line = line_number;
    for (const std::string_view field : split_fields(line)) {
      const std::string address = normalize_envelope_address(field);
      if (!split_address(address)) {
        list.errors.push_back(ConfigError{source_name, line_number,
                                          "not an address (local@domain): " + address});
        continue;
      }
      const auto [previous, inserted] = seen.emplace(address_key(address), line_number);
      if (!inserted) {
        list.errors.push_back(ConfigError{
            source_name, line_number,
            address + " is already listed on line " + std::to_string(previous->second)});
        continue;
      }
      mailbox.addresses.push_back(address);
    }
    if (!mailbox.addresses.empty()) {
      list.mailboxes.push_back(std::move(mailbox));
    }
  }
  return list;
}

const char* to_string(Finding::Kind kind) {
  switch (kind) {
    case Finding::Kind::collision:
      return "collision";
    case Finding::Kind::undeliverable:
      return "undeliverable";
    case Finding::Kind::chain:
      return "chain";
    case Finding::Kind::bidirectional_conflict:
      return "bidirectional-conflict";
  }
  return "unknown";
}

std::string Finding::to_string() const {
  std::string out = source_location(file, line);
  out += ": ";
  out += rewrite::to_string(kind);
  out += ": ";
  out += detail;
  return out;
}

std::vector<Finding> check_addresses(const RuleTable& table, const AddressList& list) {
  return Checker(table, list).run();
}

}  // namespace rewrite
