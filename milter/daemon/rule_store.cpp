// SPDX-License-Identifier: BSD-2-Clause
// rule_store.cpp: all-or-nothing reloads of the rules and the shared space's lists (see rule_store.h).
#include "rule_store.h"

#include <malloc.h>

#include <utility>

namespace rewrite::milter {

RuleStore::RuleStore(std::string path, Loader loader) : path_(std::move(path)), loader_(std::move(loader)) {
  if (!loader_) loader_ = [](const std::string& file) { return RuleTable::load(file); };
}

void RuleStore::set_shared_space(SharedSpaceSettings settings, std::string source) {
  space_settings_ = std::move(settings);
  space_source_ = std::move(source);
}

std::vector<ConfigError> RuleStore::reload() {
  // Both are built outside the lock, every error of both is reported; only the swap is serialised.
  LoadResult result = loader_(path_);
  std::vector<ConfigError> errors = std::move(result.errors);
  if (!result.ok() && errors.empty()) errors.push_back({path_, 0, "rules did not load"});
  std::shared_ptr<const SharedSpace> space;
  if (space_settings_) {
    std::vector<ConfigError> space_errors;
    space = space_loader_ ? space_loader_(*space_settings_, space_source_, space_errors)
                          : SharedSpace::load(*space_settings_, space_source_, space_errors);
    if (!space && space_errors.empty()) space_errors.push_back({space_source_, 0, "shared space did not load"});
    for (ConfigError& error : space_errors) errors.push_back(std::move(error));
  }
  if (!errors.empty()) return errors;
  RuleSnapshot snapshot;
  snapshot.table = std::move(result.table);
  snapshot.space = std::move(space);
  if (completer_) {
    errors = completer_(snapshot);
    if (!errors.empty()) return errors;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    std::swap(current_, snapshot);
  }
  // snapshot now holds the set that was in force. It is released here, outside the lock: freeing a
  // table of millions of rules takes a second or more, and sessions asking for the current set must
  // not wait for it. Unless a session still holds it, its memory goes back to the system, so that the
  // process after a reload is the size of one table, not of two.
  snapshot = RuleSnapshot{};
  malloc_trim(0);
  return {};
}

std::shared_ptr<const RuleTable> RuleStore::current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_.table;
}

RuleSnapshot RuleStore::snapshot() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_;
}

}  // namespace rewrite::milter
