// SPDX-License-Identifier: BSD-2-Clause
// signal_pipe.h: the daemon's own signals (SIGUSR1 reload; SIGTERM, SIGINT, SIGHUP stop) as bytes on a
// pipe that the main thread reads. Their handlers only write the signal number there. The main thread
// leaves the signals unblocked and every other thread blocks them, so the kernel wakes the main thread
// for each of them, never libmilter's own signal thread, which stops the milter only after up to five
// seconds and sleeps in sigwait() for them. One gap is left: sigwait() takes a signal that is already
// pending when it is called, so a stop signal that arrives just as libmilter's signal thread first calls
// it, before the main thread has run, goes to libmilter (a clean but slow stop). Thread safety: install
// once, before the threads that must block the signals are started; next_signal() from the main thread;
// wake_signal_reader() from any.
#pragma once

#include <signal.h>

#include <string>

#include "rewrite/error.h"

namespace rewrite::milter {

// Returns the set of the daemon's own signals: SIGUSR1, SIGTERM, SIGINT and SIGHUP.
sigset_t daemon_signals();

// Creates the pipe and installs the handlers (SA_RESTART); what is blocked stays blocked. Returns the
// error, if any.
Error install_signal_pipe();

// Waits for and returns the next signal number written by a handler, or 0 after wake_signal_reader().
// With timeout_ms >= 0, returns -1 when nothing came within that time.
int next_signal(int timeout_ms = -1);

// Wakes next_signal() with 0. Async-signal-safe.
void wake_signal_reader();

}  // namespace rewrite::milter
