// SPDX-License-Identifier: BSD-2-Clause
// test_signal_pipe.cpp: the daemon's signals arrive as bytes on the signal pipe, in the thread that does
// not block them, even while another thread sleeps in sigwait() for the same signals (as libmilter's
// signal thread does, entering it once); wake_signal_reader() wakes the reader with 0.
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "signal_pipe.h"

using rewrite::milter::daemon_signals;
using rewrite::milter::install_signal_pipe;
using rewrite::milter::next_signal;
using rewrite::milter::wake_signal_reader;

namespace {

// Returns the kernel function thread tid of this process sleeps in ("" when it cannot be read).
std::string wait_channel(long tid) {
  std::ifstream file("/proc/self/task/" + std::to_string(tid) + "/wchan");
  std::string channel;
  std::getline(file, channel);
  return channel;
}

}  // namespace

TEST_CASE("signal_pipe: the unblocking thread takes every signal, a sleeping sigwait() thread none",
          "[signal_pipe]") {
  const sigset_t signals = daemon_signals();
  CHECK(sigismember(&signals, SIGUSR1) == 1);
  CHECK(sigismember(&signals, SIGTERM) == 1);
  CHECK(sigismember(&signals, SIGINT) == 1);
  CHECK(sigismember(&signals, SIGHUP) == 1);
  // SIGHUP and SIGUSR1 only: the test framework handles SIGTERM and SIGINT itself.
  sigset_t used;
  sigemptyset(&used);
  sigaddset(&used, SIGHUP);
  sigaddset(&used, SIGUSR1);
  sigset_t before;
  pthread_sigmask(SIG_BLOCK, &used, &before);  // as in the daemon: blocked before the other thread starts
  REQUIRE_FALSE(install_signal_pipe());

  std::atomic<long> waiter_tid{0};
  std::atomic<int> waiter_got{0};
  std::thread waiter([&] {  // inherits the blocked mask and sleeps in sigwait() once, like libmilter's
    waiter_tid.store(syscall(SYS_gettid));
    int got = 0;
    sigwait(&used, &got);
    waiter_got.store(got);
  });
  // Signals are sent only once the waiter sleeps: one pending as it enters sigwait() would be its own.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((waiter_tid.load() == 0 || wait_channel(waiter_tid.load()).find("sigtimedwait") == std::string::npos) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  REQUIRE(wait_channel(waiter_tid.load()).find("sigtimedwait") != std::string::npos);
  pthread_sigmask(SIG_UNBLOCK, &used, nullptr);

  constexpr int kRounds = 200;
  int received = 0;
  for (int i = 0; i < kRounds; ++i) {
    const int sent = i % 2 == 0 ? SIGHUP : SIGUSR1;
    REQUIRE(kill(getpid(), sent) == 0);  // a process signal, as from kill(1) or systemd
    if (next_signal(2000) == sent) ++received;
  }
  wake_signal_reader();
  CHECK(next_signal(2000) == 0);
  CHECK(next_signal(0) == -1);

  pthread_kill(waiter.native_handle(), SIGUSR1);  // to that thread only: ends its sigwait()
  waiter.join();
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
  CHECK(received == kRounds);
  CHECK(waiter_got.load() == SIGUSR1);  // it got nothing before this one
}
