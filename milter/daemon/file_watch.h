// SPDX-License-Identifier: BSD-2-Clause
// file_watch.h: calls back when a watched file changes (the watch setting): the rules file or the files of
// a rules directory, and recipient list files. It watches the directories that hold them (inotify), so
// that a file replaced by rename, as editors and deploy tools do, is seen too; changes that come
// together (a deploy writing several files) give one call once no change has come for the settle time.
// The thread blocks the daemon's signals, like every thread. Thread safety: construct and destroy on one
// thread; the callback runs on the watch's thread.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "rewrite/error.h"

namespace rewrite::milter {

class FileWatch {
 public:
  FileWatch() = default;
  ~FileWatch();
  FileWatch(const FileWatch&) = delete;
  FileWatch& operator=(const FileWatch&) = delete;

  // Watches paths (files, or directories whose every file counts) and calls changed after each burst of
  // changes, settle after the last one. Returns the error when a directory cannot be watched.
  Error start(const std::vector<std::string>& paths, std::function<void()> changed,
              std::chrono::milliseconds settle = std::chrono::milliseconds(500));

 private:
  void run();

  struct Target {
    int descriptor = -1;
    std::string name;  // the file's name in that directory; "" for every file of it
  };
  int inotify_ = -1;
  int stop_[2] = {-1, -1};  // a pipe: writing to it ends the thread
  std::vector<Target> targets_;
  std::function<void()> changed_;
  std::chrono::milliseconds settle_{500};
  std::thread thread_;
};

}  // namespace rewrite::milter
