// SPDX-License-Identifier: BSD-2-Clause
// test_reload_worker.cpp: reloads requested from the signal-waiting thread run on the worker's thread,
// return at once, coalesce while one waits, give one more run when asked during a run, and the
// destructor lets a running reload finish.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "reload_worker.h"

namespace rewrite::milter {
namespace {

using namespace std::chrono_literals;

// A reload that counts its runs and, when gated, waits until the test opens the gate.
struct FakeReload {
  std::mutex mutex;
  std::condition_variable changed;
  int started = 0;
  int finished = 0;
  bool gated = false;
  std::thread::id ran_on;

  void operator()() {
    std::unique_lock<std::mutex> lock(mutex);
    ++started;
    ran_on = std::this_thread::get_id();
    changed.notify_all();
    changed.wait(lock, [this] { return !gated; });
    ++finished;
    changed.notify_all();
  }

  // Waits (up to 5 s) until pred holds; returns whether it did.
  template <typename Pred>
  bool wait_for(Pred pred) {
    std::unique_lock<std::mutex> lock(mutex);
    return changed.wait_for(lock, 5s, pred);
  }

  void open_gate() {
    std::lock_guard<std::mutex> lock(mutex);
    gated = false;
    changed.notify_all();
  }
};

}  // namespace

TEST_CASE("a requested reload runs once, on the worker's thread", "[reload_worker]") {
  FakeReload fake;
  {
    ReloadWorker worker([&fake] { fake(); });
    worker.request();
    REQUIRE(fake.wait_for([&] { return fake.finished == 1; }));
    std::lock_guard<std::mutex> lock(fake.mutex);
    CHECK(fake.ran_on != std::this_thread::get_id());
  }
  CHECK(fake.started == 1);
}

TEST_CASE("requests during a running reload give exactly one more run", "[reload_worker]") {
  FakeReload fake;
  fake.gated = true;
  {
    ReloadWorker worker([&fake] { fake(); });
    worker.request();
    REQUIRE(fake.wait_for([&] { return fake.started == 1; }));
    // request() returns at once even though a reload is running.
    const auto before = std::chrono::steady_clock::now();
    worker.request();
    worker.request();
    worker.request();
    CHECK(std::chrono::steady_clock::now() - before < 1s);
    fake.open_gate();
    REQUIRE(fake.wait_for([&] { return fake.finished == 2; }));
    std::this_thread::sleep_for(100ms);  // a third run would have started by now
  }
  CHECK(fake.started == 2);
}

TEST_CASE("the destructor lets a running reload finish and drops nothing else", "[reload_worker]") {
  FakeReload fake;
  fake.gated = true;
  std::atomic<bool> destroyed{false};
  std::thread opener;
  {
    ReloadWorker worker([&fake] { fake(); });
    worker.request();
    REQUIRE(fake.wait_for([&] { return fake.started == 1; }));
    opener = std::thread([&] {
      std::this_thread::sleep_for(200ms);
      CHECK_FALSE(destroyed.load());  // the destructor is still waiting for the reload
      fake.open_gate();
    });
  }
  destroyed.store(true);
  opener.join();
  CHECK(fake.finished == 1);
}

TEST_CASE("a worker never asked does not reload", "[reload_worker]") {
  FakeReload fake;
  { ReloadWorker worker([&fake] { fake(); }); }
  CHECK(fake.started == 0);
}

}  // namespace rewrite::milter
