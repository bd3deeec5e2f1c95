// SPDX-License-Identifier: BSD-2-Clause
// directory_rules.h: the rules table read from directory entries, as Exchange keeps its address rewrite
// entries in its directory (rules = an LDAP URL, rewrite-milter.conf(5) DIRECTORY). The URL's first
// attribute holds an entry's internal side, the second its external side, and every further attribute
// option words as a rules file writes them (outbound-only, bidirectional, except=DOMAINS, name=NAME):
//   ldap://dc1.contoso.com/ou=rewrite,dc=contoso,dc=com?rewriteInternal,rewriteExternal,rewriteOption?one?(objectClass=rewriteEntry)
// A rule is named by its entry's first RDN value unless it says name=. The entries are checked exactly as
// a rules file is (RuleTable::from_fields), every error naming the entry's DN, and the table is all or
// nothing. A good table is kept as the snapshot "rules.csv" (snapshot_cache.h), which serves a start
// while the directory is down. Thread safety: one load at a time (the RuleStore's reloads are serialised).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "directory_lists.h"
#include "rewrite/rule_table.h"
#include "snapshot_cache.h"

namespace rewrite::directory {

class DirectoryRules {
 public:
  // warn receives the cache fallback's warning.
  DirectoryRules(DirectorySettings settings, SnapshotCache::Warn warn);

  // Reads the rule entries url finds and builds the table, or returns every error.
  LoadResult load(const std::string& url, std::string_view recipient_delimiter);

 private:
  DirectorySettings settings_;
  SnapshotCache cache_;
};

// How the daemon and rewrite-test read rules: a path (file or rules.d) with RuleTable::load in format, an
// LDAP URL with one DirectoryRules kept across loads (for its snapshot cache).
using RulesLoader = std::function<LoadResult(const std::string& rules)>;
RulesLoader rules_loader(const DirectorySettings& settings, RuleFormat format, std::string recipient_delimiter,
                         SnapshotCache::Warn warn);

}  // namespace rewrite::directory
