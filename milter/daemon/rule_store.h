// rule_store.h: the rule table currently in force, replaced all at once on reload. A message takes its own
// shared_ptr at MAIL FROM, so mail in flight finishes with the rules it started with while a reload
// swaps in a new table. Thread safety: every member function may be called from any thread.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "rewrite/rule_table.h"

namespace rewrite::milter {

class RuleStore {
 public:
  using Loader = std::function<LoadResult(const std::string& path)>;

  // loader reads and validates a rules file; the default is RuleTable::load.
  explicit RuleStore(std::string path, Loader loader = {});

  // Builds a complete new table from the file and swaps it in only when it loaded without errors.
  // Returns the errors (empty on success); on errors the previous table stays in force.
  std::vector<ConfigError> reload();

  // Returns the table in force (null before the first successful load).
  std::shared_ptr<const RuleTable> current() const;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  Loader loader_;
  mutable std::mutex mutex_;
  std::shared_ptr<const RuleTable> table_;
};

}  // namespace rewrite::milter
