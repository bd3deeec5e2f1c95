# SPDX-License-Identifier: BSD-2-Clause
"""The rewrite-milter daemon as a child process of a test: start in the foreground, reload, kill, stop.

Its stderr (the log in foreground mode) goes to a file the tests can read, or, for a benchmark that
wants the daemon to log only to syslog as under systemd, to /dev/null (keep_stderr False), which the
daemon then does not write. Every start records the PID; stop() ends exactly those PIDs.
"""

import os
import signal
import socket
import subprocess
import time
from typing import List, Optional

from staged_environment import read_log


def milter_binary() -> str:
    """The daemon binary named by REWRITE_MILTER (ctest sets it); raise when it is not executable."""
    binary = os.environ.get("REWRITE_MILTER", "")
    if not binary or not os.access(binary, os.X_OK):
        raise RuntimeError("REWRITE_MILTER must name the rewrite-milter binary (got %r)" % binary)
    return binary


class MilterProcess:
    """One rewrite-milter daemon listening on a unix socket under base_dir."""

    def __init__(self, binary: str, base_dir: str, rules_path: str, extra_args: Optional[List[str]] = None):
        self.binary = binary
        self.socket_path = os.path.join(base_dir, "milter.sock")
        self.rules_path = rules_path
        self.log_path = os.path.join(base_dir, "milter.log")
        self.extra_args = list(extra_args or [])
        self.proc: Optional[subprocess.Popen] = None
        self._started: List[subprocess.Popen] = []
        self.keep_stderr = True  # False: stdout and stderr to /dev/null; the log is only in syslog

    @property
    def postfix_socket(self) -> str:
        """The milter address in Postfix syntax."""
        return "unix:" + self.socket_path

    def command(self) -> List[str]:
        """Return the daemon's command line."""
        # Run as user postfix, as in production: the socket is then owned by the user the Postfix
        # daemons run as.
        return [self.binary, "-f", "-v", "-u", "postfix", "-r", self.rules_path, "-s", "unix:" + self.socket_path] \
            + self.extra_args

    def start(self, timeout: float = 15.0) -> "MilterProcess":
        """Start the daemon and wait until its socket accepts connections."""
        log = open(self.log_path, "ab") if self.keep_stderr else open(os.devnull, "wb")
        self.proc = subprocess.Popen(
            self.command(), stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
        )
        log.close()
        self._started.append(self.proc)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("rewrite-milter exited with %d at start:\n%s" % (self.proc.returncode, self.log_text()))
            if self._socket_accepts():
                return self
            time.sleep(0.05)
        raise TimeoutError("rewrite-milter socket %s not ready:\n%s" % (self.socket_path, self.log_text()))

    def _socket_accepts(self) -> bool:
        """True when the unix socket exists and accepts a connection."""
        if not os.path.exists(self.socket_path):
            return False
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            try:
                s.connect(self.socket_path)
                return True
            except OSError:
                return False

    def running(self) -> bool:
        """True while the current daemon process is alive."""
        return self.proc is not None and self.proc.poll() is None

    def reload(self) -> None:
        """Ask the daemon to reload its rules (SIGUSR1)."""
        self.proc.send_signal(signal.SIGUSR1)

    def kill(self) -> None:
        """Kill the daemon abruptly (SIGKILL), as a crash would."""
        self.proc.kill()
        self.proc.wait(10)

    def stop(self) -> None:
        """Stop every daemon process this object started: SIGTERM, then SIGKILL (idempotent)."""
        for proc in self._started:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(10)

    def log_text(self) -> str:
        """Return the daemon's log so far."""
        if not self.keep_stderr:
            return "(standard error not kept: the daemon's lines went to syslog only)"
        return read_log(self.log_path)
