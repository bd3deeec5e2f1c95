// SPDX-License-Identifier: BSD-2-Clause
// periodic_reload.h: asks the ReloadWorker for a reload every interval, so that recipient lists read from
// a directory follow it (ldap-refresh). The thread blocks the daemon's signals, like every thread.
// Thread safety: construct and destroy on one thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "reload_worker.h"

namespace rewrite::milter {

class PeriodicReload {
 public:
  // Starts requesting reloads from reloads every interval (which must be positive).
  PeriodicReload(ReloadWorker& reloads, std::chrono::seconds interval);
  // Stops at once, also in the middle of a wait.
  ~PeriodicReload();
  PeriodicReload(const PeriodicReload&) = delete;
  PeriodicReload& operator=(const PeriodicReload&) = delete;

 private:
  void run();

  ReloadWorker& reloads_;
  std::chrono::seconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;  // last: started once the members above exist
};

}  // namespace rewrite::milter
