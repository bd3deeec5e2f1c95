// SPDX-License-Identifier: BSD-2-Clause
// logger.h: where the daemon's log lines go. Syslog (facility mail, ident rewrite-milter) in production,
// plus stderr in the foreground; a capturing logger in tests. Lines follow `QUEUEID: event: detail`.
// Thread safety: log() may be called from any thread.
#pragma once

#include <mutex>
#include <string>
#include <vector>

namespace rewrite::milter {

enum class LogLevel { error, warning, notice, info, verbose, debug };

class Logger {
 public:
  virtual ~Logger() = default;
  // Writes one line at level (dropped when above the configured verbosity).
  virtual void log(LogLevel level, const std::string& line) = 0;
  // True when a line at level would be written (so callers can skip building it).
  virtual bool enabled(LogLevel level) const = 0;
};

// Logs to syslog(3) with LOG_MAIL and, when to_stderr, to standard error as well, unless standard error
// is systemd's journal (JOURNAL_STREAM names it), which gets the syslog lines already: a copy there
// would log every line twice, or /dev/null, where a copy is only a wasted write.
class SyslogLogger : public Logger {
 public:
  // verbosity: 0 logs up to info, 1 adds verbose, 2 adds debug.
  SyslogLogger(int verbosity, bool to_stderr);
  ~SyslogLogger() override;
  void log(LogLevel level, const std::string& line) override;
  bool enabled(LogLevel level) const override;

 private:
  int verbosity_;
  bool to_stderr_;
};

// True when standard error is the journal stream systemd gave the service (JOURNAL_STREAM, "DEV:INODE",
// matches its device and inode).
bool stderr_is_journal();

// True when standard error is /dev/null (as under a supervisor that discards it): nothing to copy to.
bool stderr_is_null();

// Keeps every line in memory (tests).
class MemoryLogger : public Logger {
 public:
  void log(LogLevel level, const std::string& line) override;
  bool enabled(LogLevel) const override { return true; }
  // Returns a copy of the lines logged so far.
  std::vector<std::string> lines() const;
  // True when some line contains text.
  bool contains(const std::string& text) const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

}  // namespace rewrite::milter
