// SPDX-License-Identifier: BSD-2-Clause
// snapshot_cache.h: the last good snapshot of each directory source (recipient lists, rules), kept as a
// file of the ldap-cache directory so that a restart while the directory is down still serves. A
// snapshot is written whole to a temporary file, synced and renamed over the old one, so a crash leaves
// the old snapshot or the new one, never half of either. Only the first load of a process may fall back
// to a snapshot: later, a failed refresh keeps what is in force (RuleStore), which is as new.
// Thread safety: one load at a time (the RuleStore's reloads are serialised).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "rewrite/config_error.h"
#include "rewrite/error.h"

namespace rewrite::directory {

class SnapshotCache {
 public:
  using Warn = std::function<void(const std::string& message)>;

  // dir "" keeps no snapshot; warn receives the fallback's and a failed write's warnings.
  SnapshotCache(std::string dir, Warn warn);

  // Keeps text as snapshot name, first line a comment saying what url it holds and when it was read.
  void keep(const std::string& name, const std::string& url, const std::string& summary, const std::string& text) const;

  // After url failed with why: the path of snapshot name when it may serve instead (first load and the
  // snapshot exists), with a warning; otherwise "" with the error for url appended to errors.
  std::string fallback(const std::string& name, const std::string& url, const Error& why,
                       std::vector<ConfigError>& errors) const;

  // Ends the first load: from now on a failure is an error.
  void first_load_done() { first_load_ = false; }

 private:
  std::string path_of(const std::string& name) const { return dir_.empty() ? "" : dir_ + "/" + name; }

  std::string dir_;
  Warn warn_;
  bool first_load_ = true;
};

}  // namespace rewrite::directory
