// test_signal_pipe.cpp: the daemon's signals arrive as bytes on the signal pipe, in the thread that does
// not block them, even while another thread waits for the same signal in sigwait() (as libmilter's
// signal thread does); wake_signal_reader() wakes the reader with 0.
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "signal_pipe.h"

using rewrite::milter::daemon_signals;
using rewrite::milter::install_signal_pipe;
using rewrite::milter::next_signal;
using rewrite::milter::wake_signal_reader;

TEST_CASE("signal_pipe: the unblocking thread takes every signal, a sigwait() thread none", "[signal_pipe]") {
  // SIGHUP and SIGUSR1 only: the test framework handles SIGTERM and SIGINT itself.
  const sigset_t signals = daemon_signals();
  CHECK(sigismember(&signals, SIGUSR1) == 1);
  CHECK(sigismember(&signals, SIGTERM) == 1);
  CHECK(sigismember(&signals, SIGINT) == 1);
  CHECK(sigismember(&signals, SIGHUP) == 1);
  sigset_t hup;
  sigemptyset(&hup);
  sigaddset(&hup, SIGHUP);
  sigaddset(&hup, SIGUSR1);
  sigset_t before;
  pthread_sigmask(SIG_BLOCK, &hup, &before);  // as in the daemon: blocked before any other thread starts
  REQUIRE(install_signal_pipe().empty());

  std::atomic<bool> done{false};
  std::atomic<int> stolen{0};
  std::thread waiter([&] {  // inherits the blocked mask, then waits like libmilter's signal thread
    const timespec tick{0, 20 * 1000 * 1000};
    while (!done.load()) {
      if (sigtimedwait(&hup, nullptr, &tick) > 0) stolen.fetch_add(1);
    }
  });
  pthread_sigmask(SIG_UNBLOCK, &hup, nullptr);

  constexpr int kRounds = 200;
  int received = 0;
  for (int i = 0; i < kRounds; ++i) {
    const int sent = i % 2 == 0 ? SIGHUP : SIGUSR1;
    REQUIRE(kill(getpid(), sent) == 0);  // a process signal, as from kill(1) or systemd
    if (next_signal() == sent) ++received;
  }
  wake_signal_reader();
  CHECK(next_signal() == 0);

  done.store(true);
  waiter.join();
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
  CHECK(received == kRounds);
  CHECK(stolen.load() == 0);
}
