// SPDX-License-Identifier: BSD-2-Clause
// file_watch.cpp: inotify over the directories of the watched files (see file_watch.h).
#include "file_watch.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "signal_pipe.h"

namespace rewrite::milter {
namespace {

constexpr std::uint32_t kEvents = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE;

}  // namespace

FileWatch::~FileWatch() {
  if (thread_.joinable()) {
    const char stop = 1;
    [[maybe_unused]] const ssize_t written = write(stop_[1], &stop, 1);
    thread_.join();
  }
  for (const int fd : {inotify_, stop_[0], stop_[1]}) {
    if (fd >= 0) close(fd);
  }
}

Error FileWatch::start(const std::vector<std::string>& paths, std::function<void()> changed,
                       std::chrono::milliseconds settle) {
  changed_ = std::move(changed);
  settle_ = settle;
  inotify_ = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (inotify_ < 0) return Error(std::string("inotify: ") + std::strerror(errno));
  if (pipe2(stop_, O_CLOEXEC) != 0) return Error(std::string("pipe: ") + std::strerror(errno));
  for (const std::string& path : paths) {
    std::error_code error;
    const bool directory = std::filesystem::is_directory(path, error);
    const std::filesystem::path absolute = std::filesystem::absolute(path, error);
    const std::string watched = directory ? absolute.string() : absolute.parent_path().string();
    const int descriptor = inotify_add_watch(inotify_, watched.c_str(), kEvents);
    if (descriptor < 0) return Error("cannot watch " + watched + ": " + std::strerror(errno));
    targets_.push_back({descriptor, directory ? "" : absolute.filename().string()});
  }
  thread_ = std::thread([this] { run(); });
  return Error();
}

void FileWatch::run() {
  const sigset_t signals = daemon_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  bool pending = false;
  for (;;) {
    pollfd fds[2] = {{inotify_, POLLIN, 0}, {stop_[0], POLLIN, 0}};
    // While changes are pending, wait only for the settle time: then they are reported.
    const int ready = poll(fds, 2, pending ? static_cast<int>(settle_.count()) : -1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0 || (fds[1].revents & POLLIN)) return;
    if (ready == 0) {
      pending = false;
      changed_();
      continue;
    }
    alignas(inotify_event) char buffer[8192];
    const ssize_t length = read(inotify_, buffer, sizeof buffer);
    for (ssize_t at = 0; at < length;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
      const std::string name = event->len > 0 ? event->name : "";
      for (const Target& target : targets_) {
        if (target.descriptor == event->wd && (target.name.empty() || target.name == name)) pending = true;
      }
      at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
    }
  }
}

}  // namespace rewrite::milter
