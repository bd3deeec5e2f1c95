// SPDX-License-Identifier: BSD-2-Clause
// signal_pipe.cpp: signal handlers that write to a pipe, and its reader (see signal_pipe.h).
#include "signal_pipe.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace rewrite::milter {
namespace {

constexpr int kDaemonSignals[] = {SIGUSR1, SIGTERM, SIGINT, SIGHUP};
int g_pipe[2] = {-1, -1};  // [0] read by next_signal(), [1] written by the handlers (non-blocking)

// Writes one byte (a signal number, or 0) to the pipe; keeps errno. Async-signal-safe.
void post(unsigned char byte) {
  const int saved = errno;
  if (write(g_pipe[1], &byte, 1) < 0) {
    // The pipe is full only if nobody reads any more (the daemon is stopping): nothing to do.
  }
  errno = saved;
}

extern "C" void on_signal(int signal) { post(static_cast<unsigned char>(signal)); }

}  // namespace

sigset_t daemon_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (const int signal : kDaemonSignals) sigaddset(&set, signal);
  return set;
}

Error install_signal_pipe() {
  if (g_pipe[0] < 0) {
    if (pipe2(g_pipe, O_CLOEXEC) != 0) return Error(std::string("signal pipe: ") + std::strerror(errno));
    fcntl(g_pipe[1], F_SETFL, fcntl(g_pipe[1], F_GETFL) | O_NONBLOCK);
  }
  struct sigaction action {};
  action.sa_handler = on_signal;
  action.sa_flags = SA_RESTART;
  sigfillset(&action.sa_mask);
  for (const int signal : kDaemonSignals) {
    if (sigaction(signal, &action, nullptr) != 0) return Error(std::string("sigaction: ") + std::strerror(errno));
  }
  return Error();
}

int next_signal(int timeout_ms) {
  pollfd readable{g_pipe[0], POLLIN, 0};
  int ready = 0;
  do {
    ready = poll(&readable, 1, timeout_ms);
  } while (ready < 0 && errno == EINTR);
  if (ready == 0) return -1;
  unsigned char byte = 0;
  ssize_t got = 0;
  do {
    got = read(g_pipe[0], &byte, 1);
  } while (got < 0 && errno == EINTR);
  return got == 1 ? byte : 0;
}

void wake_signal_reader() { post(0); }

}  // namespace rewrite::milter
