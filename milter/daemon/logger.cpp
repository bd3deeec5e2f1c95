// SPDX-License-Identifier: BSD-2-Clause
// logger.cpp: syslog/stderr and in-memory loggers (see logger.h).
#include "logger.h"

#include <syslog.h>

#include <iostream>

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

SyslogLogger::SyslogLogger(int verbosity, bool to_stderr) : verbosity_(verbosity), to_stderr_(to_stderr) {
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
    std::lock_guard<std::mutex> lock(stderr_mutex_);
    std::cerr << "rewrite-milter: " << line << '\n';
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
