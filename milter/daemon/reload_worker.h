// SPDX-License-Identifier: BSD-2-Clause
// reload_worker.h: runs reloads on a thread of their own, so that the thread that waits for signals is
// back to waiting at once (a stop signal that came during a long reload would otherwise go to
// libmilter's signal thread, whose stop takes up to five seconds). No libmilter here.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace rewrite::milter {

class ReloadWorker {
 public:
  // Starts the thread; reload is what each requested reload runs.
  explicit ReloadWorker(std::function<void()> reload);
  // Lets a reload in progress finish, then ends the thread; a request still waiting is dropped.
  ~ReloadWorker();

  ReloadWorker(const ReloadWorker&) = delete;
  ReloadWorker& operator=(const ReloadWorker&) = delete;

  // Asks for a reload and returns at once. Requests made while one waits count once; a request made
  // while a reload runs gets one more reload after it, so the last change on disk is always read.
  void request();

 private:
  // The thread: waits for a request, runs the reload, until stopping.
  void run();

  std::function<void()> reload_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool requested_ = false;
  bool stopping_ = false;
  std::thread thread_;  // last: started once the members above exist
};

}  // namespace rewrite::milter
