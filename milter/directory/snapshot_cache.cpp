// SPDX-License-Identifier: BSD-2-Clause
// snapshot_cache.cpp: the directory snapshots of the ldap-cache directory (see snapshot_cache.h).
#include "snapshot_cache.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>

namespace rewrite::directory {
namespace {

// Writes text to path whole, replacing path only once the text is on disk.
bool write_whole(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".new";
  FILE* file = std::fopen(temporary.c_str(), "w");
  if (file == nullptr) return false;
  bool ok = std::fwrite(text.data(), 1, text.size(), file) == text.size();
  ok = (std::fflush(file) == 0) && ok && fsync(fileno(file)) == 0;
  ok = (std::fclose(file) == 0) && ok;
  if (!ok || std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    return false;
  }
  return true;
}

}  // namespace

SnapshotCache::SnapshotCache(std::string dir, Warn warn) : dir_(std::move(dir)), warn_(std::move(warn)) {}

void SnapshotCache::keep(const std::string& name, const std::string& url, const std::string& summary,
                         const std::string& text) const {
  if (dir_.empty()) return;
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  std::error_code ignored;
  std::filesystem::create_directories(dir_, ignored);
  const std::string path = path_of(name);
  if (!write_whole(path, "# rewrite-milter: snapshot of " + url + " at " + stamp + " (" + summary + ")\n" + text) &&
      warn_) {
    warn_("cannot write the directory snapshot " + path + "; a restart while the directory is down will fail");
  }
}

std::string SnapshotCache::fallback(const std::string& name, const std::string& url, const Error& why,
                                    std::vector<ConfigError>& errors) const {
  const std::string path = path_of(name);
  struct stat cached {};
  if (first_load_ && !path.empty() && ::stat(path.c_str(), &cached) == 0) {
    if (warn_) warn_("directory unreachable (" + why.message() + "); serving the cached snapshot " + path);
    return path;
  }
  errors.push_back({url, 0, why.message() + (first_load_ ? (path.empty() ? " (no snapshot cache is configured)"
                                                                          : " (and no cached snapshot " + path + ")")
                                                         : "")});
  return "";
}

}  // namespace rewrite::directory
