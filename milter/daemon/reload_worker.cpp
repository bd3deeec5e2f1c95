// SPDX-License-Identifier: BSD-2-Clause
// reload_worker.cpp: reloads on their own thread (see reload_worker.h).
#include "reload_worker.h"

#include <utility>

namespace rewrite::milter {

ReloadWorker::ReloadWorker(std::function<void()> reload)
    : reload_(std::move(reload)), thread_([this] { run(); }) {}

ReloadWorker::~ReloadWorker() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void ReloadWorker::request() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    requested_ = true;
  }
  wake_.notify_one();
}

void ReloadWorker::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return requested_ || stopping_; });
    if (stopping_) return;
    requested_ = false;
    lock.unlock();
    reload_();
    lock.lock();
  }
}

}  // namespace rewrite::milter
