// SPDX-License-Identifier: BSD-2-Clause
// directory_rules.cpp: rules from directory entries, with the snapshot cache (see directory_rules.h).
#include "directory_rules.h"

#include <memory>

#include "rewrite/rule_csv_writer.h"

namespace rewrite::directory {
namespace {

constexpr const char* kSnapshotName = "rules.csv";

// What url must name: the attributes of both sides at least.
Error check_rules_url(const std::string& url, const std::vector<std::string>& attributes) {
  if (const Error error = check_ldap_url(url); error) return error;
  if (attributes.size() < 2) {
    return Error("LDAP URL " + url + " must name the attributes of the internal side, the external side and, "
                 "optionally, the options (e.g. ?rewriteInternal,rewriteExternal,rewriteOption?)");
  }
  return Error();
}

// The records as rule fields; an entry with other than one value for a side is an error naming its DN.
std::vector<RuleFields> as_rule_fields(const std::vector<DirectoryRecord>& records,
                                       const std::vector<std::string>& attributes, std::vector<ConfigError>& errors) {
  std::vector<RuleFields> entries;
  entries.reserve(records.size());
  for (const DirectoryRecord& record : records) {
    bool usable = true;
    for (std::size_t side = 0; side < 2; ++side) {
      const std::size_t count = record.values[side].size();
      if (count != 1) {
        errors.push_back({record.dn, 0, attributes[side] + " has " + std::to_string(count) + " values; a rule has one " +
                                            (side == 0 ? "internal" : "external") + " side"});
        usable = false;
      }
    }
    if (!usable) continue;
    RuleFields& entry = entries.emplace_back();
    entry.source = record.dn;
    entry.internal = record.values[0][0];
    entry.external = record.values[1][0];
    for (std::size_t i = 2; i < record.values.size(); ++i) {
      for (const std::string& option : record.values[i]) entry.options.push_back(option);
    }
    entry.name = first_rdn_value(record.dn);
  }
  return entries;
}

}  // namespace

DirectoryRules::DirectoryRules(DirectorySettings settings, SnapshotCache::Warn warn)
    : settings_(std::move(settings)), cache_(settings_.cache_dir, std::move(warn)) {}

LoadResult DirectoryRules::load(const std::string& url, std::string_view recipient_delimiter) {
  LoadResult result;
  const std::vector<std::string> attributes = url_attributes(url);
  if (const Error error = check_rules_url(url, attributes); error) {
    result.errors.push_back({url, 0, error.message()});
    return result;
  }
  const Result<std::vector<DirectoryRecord>> records = search(url, settings_.access);
  const std::string cached = records ? "" : cache_.fallback(kSnapshotName, url, records.error(), result.errors);
  cache_.first_load_done();
  if (!records) return cached.empty() ? result : RuleTable::load(cached, RuleFormat::csv, recipient_delimiter);
  std::vector<RuleFields> entries = as_rule_fields(*records, attributes, result.errors);
  LoadResult built = RuleTable::from_fields(entries, url, recipient_delimiter);
  if (!result.errors.empty()) {
    // Every problem at once: the entries refused here, then what checking the rest found.
    for (ConfigError& error : built.errors) result.errors.push_back(std::move(error));
    return result;
  }
  if (built.ok()) {
    cache_.keep(kSnapshotName, url, std::to_string(built.table->rules().size()) + " rules",
                rules_as_csv(*built.table));
  }
  return built;
}

RulesLoader rules_loader(const DirectorySettings& settings, RuleFormat format, std::string recipient_delimiter,
                         SnapshotCache::Warn warn) {
  auto directory = std::make_shared<DirectoryRules>(settings, std::move(warn));
  return [directory, format, delimiter = std::move(recipient_delimiter)](const std::string& rules) {
    return is_ldap_url(rules) ? directory->load(rules, delimiter) : RuleTable::load(rules, format, delimiter);
  };
}

}  // namespace rewrite::directory
