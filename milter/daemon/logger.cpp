// SPDX-License-Identifier: BSD-2-Clause
// logger.cpp: syslog/stderr and in-memory loggers (see logger.h).
#include "logger.h"

#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace rewrite::milter {

namespace {

// Maps our levels to syslog priorities.
int priority(LogLevel level) {
  switch (level) {
    case LogLevel::error: return LOG_ERR;
    case LogLevel::warning: return LOG_WARNING;
    case LogLevel::notice: return LOG_NOTICE;
    case LogLevel::info: return LOG_INFO;
    case LogLevel::verbose: return LOG_INFO;
    case LogLevel::debug: return LOG_DEBUG;
  }
  return LOG_INFO;
}

}  // namespace

bool stderr_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  struct stat status {};
  if (stream == nullptr || fstat(STDERR_FILENO, &status) != 0) return false;
  unsigned long long device = 0;
  unsigned long long inode = 0;
  return std::sscanf(stream, "%llu:%llu", &device, &inode) == 2 && device == status.st_dev && inode == status.st_ino;
}

bool stderr_is_null() {
  struct stat error {};
  struct stat null {};
  return fstat(STDERR_FILENO, &error) == 0 && stat("/dev/null", &null) == 0 && S_ISCHR(error.st_mode) &&
         S_ISCHR(null.st_mode) && error.st_rdev == null.st_rdev;
}

SyslogLogger::SyslogLogger(int verbosity, bool to_stderr)
    : verbosity_(verbosity), to_stderr_(to_stderr && !stderr_is_journal() && !stderr_is_null()) {
  openlog("rewrite-milter", LOG_PID | LOG_NDELAY, LOG_MAIL);
}

SyslogLogger::~SyslogLogger() { closelog(); }

bool SyslogLogger::enabled(LogLevel level) const {
  if (level == LogLevel::debug) return verbosity_ >= 2;
  if (level == LogLevel::verbose) return verbosity_ >= 1;
  return true;
}

void SyslogLogger::log(LogLevel level, const std::string& line) {
  if (!enabled(level)) return;
  syslog(priority(level), "%s", line.c_str());
  if (to_stderr_) {
    // One write per line: lines of concurrent sessions never interleave (up to PIPE_BUF on a pipe).
    std::string text = "rewrite-milter: " + line + "\n";
    for (std::size_t done = 0; done < text.size();) {
      const ssize_t written = ::write(STDERR_FILENO, text.data() + done, text.size() - done);
      if (written < 0 && errno == EINTR) continue;
      if (written <= 0) break;  // stderr gone: syslog has the line
      done += static_cast<std::size_t>(written);
    }
  }
}

void MemoryLogger::log(LogLevel, const std::string& line) {
  std::lock_guard<std::mutex> lock(mutex_);
  lines_.push_back(line);
}

std::vector<std::string> MemoryLogger::lines() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return lines_;
}

bool MemoryLogger::contains(const std::string& text) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const std::string& line : lines_) {
    if (line.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace rewrite::milter
