// SPDX-License-Identifier: BSD-2-Clause
// test_file_watch.cpp: the watch setting's file watcher: a watched file written in place or replaced by
// rename calls back once per burst; other files of the same directory do not; a directory's files count.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "file_watch.h"
#include "milter_test_support.h"

namespace rewrite::milter {
namespace {

using namespace std::chrono_literals;

// Waits up to two seconds for count to reach at least expected; returns its value.
int wait_for(const std::atomic<int>& count, int expected) {
  for (int i = 0; i < 200 && count.load() < expected; ++i) std::this_thread::sleep_for(10ms);
  return count.load();
}

void write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

TEST_CASE("watch: a watched file's changes call back, once per burst; its neighbours do not", "[watch]") {
  test::TempFile rules("rules", "a.example b.example\n");
  std::atomic<int> calls{0};
  FileWatch watch;
  REQUIRE_FALSE(watch.start({rules.path()}, [&calls] { ++calls; }, 100ms));
  write(rules.dir() + "/unrelated", "x\n");
  std::this_thread::sleep_for(300ms);
  CHECK(calls.load() == 0);
  rules.write("a.example c.example\n");
  rules.write("a.example d.example\n");  // the same burst
  CHECK(wait_for(calls, 1) == 1);
  std::this_thread::sleep_for(300ms);
  CHECK(calls.load() == 1);
  // Replaced by rename, as deploy tools do.
  write(rules.path() + ".new", "a.example e.example\n");
  std::filesystem::rename(rules.path() + ".new", rules.path());
  CHECK(wait_for(calls, 2) == 2);
}

TEST_CASE("watch: every file of a watched directory counts", "[watch]") {
  test::TempFile marker("10-a.rules", "a.example b.example\n");
  std::atomic<int> calls{0};
  FileWatch watch;
  REQUIRE_FALSE(watch.start({marker.dir()}, [&calls] { ++calls; }, 100ms));
  write(marker.dir() + "/20-b.rules", "c.example d.example\n");
  CHECK(wait_for(calls, 1) == 1);
  std::filesystem::remove(marker.dir() + "/20-b.rules");
  CHECK(wait_for(calls, 2) == 2);
}

TEST_CASE("watch: a directory that does not exist cannot be watched, and says so", "[watch]") {
  FileWatch watch;
  const Error error = watch.start({"/nonexistent-dir-xyz/rules"}, [] {});
  REQUIRE(error);
  CHECK(error.message().find("cannot watch /nonexistent-dir-xyz") == 0);
}

}  // namespace
}  // namespace rewrite::milter
