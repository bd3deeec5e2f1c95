// rule_store.cpp: all-or-nothing rule reloads (see rule_store.h).
#include "rule_store.h"

namespace rewrite::milter {

RuleStore::RuleStore(std::string path, Loader loader) : path_(std::move(path)), loader_(std::move(loader)) {
  if (!loader_) loader_ = [](const std::string& file) { return RuleTable::load(file); };
}

std::vector<ConfigError> RuleStore::reload() {
  // The table is built outside the lock; only the pointer swap is serialised.
  LoadResult result = loader_(path_);
  if (!result.ok()) {
    if (result.errors.empty()) result.errors.push_back({path_, 0, "rules did not load"});
    return result.errors;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  table_ = std::move(result.table);
  return {};
}

std::shared_ptr<const RuleTable> RuleStore::current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return table_;
}

}  // namespace rewrite::milter
