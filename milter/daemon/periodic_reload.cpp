// SPDX-License-Identifier: BSD-2-Clause
// periodic_reload.cpp: the refresh timer (see periodic_reload.h).
#include "periodic_reload.h"

#include <pthread.h>
#include <signal.h>

#include "signal_pipe.h"

namespace rewrite::milter {

PeriodicReload::PeriodicReload(ReloadWorker& reloads, std::chrono::seconds interval)
    : reloads_(reloads), interval_(interval), thread_([this] { run(); }) {}

PeriodicReload::~PeriodicReload() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void PeriodicReload::run() {
  const sigset_t signals = daemon_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) reloads_.request();
}

}  // namespace rewrite::milter
