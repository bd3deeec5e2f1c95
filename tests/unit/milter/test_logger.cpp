// SPDX-License-Identifier: BSD-2-Clause
// test_logger.cpp: standard error is told apart from systemd's journal stream, so that a service in the
// foreground does not log each line twice (syslog reaches the journal already), and from /dev/null.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "logger.h"

namespace rewrite::milter {
namespace {

// Sets or clears JOURNAL_STREAM for one scope.
class JournalStream {
 public:
  explicit JournalStream(const char* value) {
    if (const char* old = std::getenv("JOURNAL_STREAM")) saved_ = old, had_ = true;
    if (value != nullptr) setenv("JOURNAL_STREAM", value, 1);
    else unsetenv("JOURNAL_STREAM");
  }
  ~JournalStream() {
    if (had_) setenv("JOURNAL_STREAM", saved_.c_str(), 1);
    else unsetenv("JOURNAL_STREAM");
  }

 private:
  std::string saved_;
  bool had_ = false;
};

TEST_CASE("logger: standard error is the journal only when JOURNAL_STREAM names it", "[logger]") {
  struct stat status {};
  REQUIRE(fstat(STDERR_FILENO, &status) == 0);
  const std::string mine = std::to_string(status.st_dev) + ":" + std::to_string(status.st_ino);
  {
    JournalStream stream(mine.c_str());
    CHECK(stderr_is_journal());
  }
  {
    // Another stream (a child of the service whose stderr was redirected) is not the journal.
    const std::string other = std::to_string(status.st_dev) + ":" + std::to_string(status.st_ino + 1);
    JournalStream stream(other.c_str());
    CHECK_FALSE(stderr_is_journal());
  }
  {
    JournalStream stream("not a stream");
    CHECK_FALSE(stderr_is_journal());
  }
  {
    JournalStream stream(nullptr);
    CHECK_FALSE(stderr_is_journal());
  }
}

// Points standard error at path for one scope.
class StderrTo {
 public:
  explicit StderrTo(const char* path) : saved_(dup(STDERR_FILENO)) {
    const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(fd >= 0);
    dup2(fd, STDERR_FILENO);
    close(fd);
  }
  ~StderrTo() {
    dup2(saved_, STDERR_FILENO);
    close(saved_);
  }

 private:
  int saved_;
};

TEST_CASE("logger: standard error is /dev/null only when it is that device", "[logger]") {
  {
    StderrTo null("/dev/null");
    CHECK(stderr_is_null());
  }
  {
    char path[] = "/tmp/rewrite-logger-XXXXXX";
    const int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    close(fd);
    {
      StderrTo file(path);
      CHECK_FALSE(stderr_is_null());
    }
    unlink(path);
  }
}

}  // namespace
}  // namespace rewrite::milter
