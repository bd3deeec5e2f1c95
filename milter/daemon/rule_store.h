// SPDX-License-Identifier: BSD-2-Clause
// rule_store.h: the rule table (and, when configured, the shared address space with its recipient lists)
// currently in force, replaced all at once on reload. A message takes its own snapshot at MAIL FROM, so
// mail in flight finishes with the rules and lists it started with while a reload swaps in new ones.
// Thread safety: every member function may be called from any thread, except set_shared_space(), which
// must be called before the first reload.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "rewrite/rule_table.h"
#include "rewrite/shared_space.h"

namespace rewrite::milter {

struct RuleHitCounters;  // metrics.h

// The rules and the shared space of one load, always used together, with what a reload rereads of the
// configuration (the mode) and the rules' hit counters.
struct RuleSnapshot {
  std::shared_ptr<const RuleTable> table;   // null before the first successful load
  std::shared_ptr<const SharedSpace> space; // null when the shared space is off
  bool log_only = false;                    // mode = log-only
  std::shared_ptr<const RuleHitCounters> hits;  // null when nothing counts
};

class RuleStore {
 public:
  using Loader = std::function<LoadResult(const std::string& path)>;
  // Completes a newly loaded snapshot before it is swapped in (rereads the mode, makes hit counters);
  // an error refuses the load like a rules error.
  using Completer = std::function<std::vector<ConfigError>(RuleSnapshot& snapshot)>;
  // Loads the shared space's lists (files by default; the directory, see directory_lists.h).
  using SpaceLoader = std::function<std::shared_ptr<const SharedSpace>(const SharedSpaceSettings& settings,
                                                                       const std::string& source,
                                                                       std::vector<ConfigError>& errors)>;

  // loader reads and validates a rules file; the default is RuleTable::load.
  explicit RuleStore(std::string path, Loader loader = {});

  // Turns the shared address space on: every reload also reads its recipient lists. source names the
  // settings' origin for errors that are not tied to a list line.
  void set_shared_space(SharedSpaceSettings settings, std::string source);
  bool shared_space_enabled() const { return space_settings_.has_value(); }
  // Sets the completer; must be called before the first reload.
  void set_completer(Completer completer) { completer_ = std::move(completer); }
  // Sets how the shared space's lists are loaded; must be called before the first reload.
  void set_space_loader(SpaceLoader loader) { space_loader_ = std::move(loader); }

  // Builds a complete new table (and shared space) and swaps them in together only when everything
  // loaded without errors. Returns every error (empty on success); on errors the previous set stays.
  std::vector<ConfigError> reload();

  // Returns the table in force (null before the first successful load).
  std::shared_ptr<const RuleTable> current() const;
  // Returns the table and the shared space in force, taken together.
  RuleSnapshot snapshot() const;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  Loader loader_;
  std::optional<SharedSpaceSettings> space_settings_;
  std::string space_source_;
  Completer completer_;
  SpaceLoader space_loader_;
  mutable std::mutex mutex_;
  RuleSnapshot current_;
};

}  // namespace rewrite::milter
