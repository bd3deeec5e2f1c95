# SPDX-License-Identifier: BSD-2-Clause
"""The start and stop order every test environment follows: parts (capture sinks, a milter, MTA
instances) start one after the other in a temporary directory, and stop in the reverse order, each by
its own stop() (by PID), even when an earlier stop failed; the directory is then removed unless
KEEP_TEST_DIRS is set. Shared by the Postfix, Sendmail, shared-space and load environments."""

import os
import shutil
import tempfile
from typing import Iterator, List


def read_log(path: str) -> str:
    """The text of a part's log file so far ("" before it exists), undecodable bytes replaced."""
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


class StagedEnvironment:
    """Subclasses yield their parts from start_order(), in start order; a part yielded later may be built
    from one started earlier (an MTA needs the sink's port)."""

    def __init__(self, prefix: str):
        self.base_dir = tempfile.mkdtemp(prefix=prefix)
        os.chmod(self.base_dir, 0o755)  # the MTA's and the milter's users read the files here
        self._started: List = []

    def start_order(self) -> Iterator:
        """Yield each part to start, in order (each has start() and stop())."""
        raise NotImplementedError

    def start(self):
        """Start every part in order; a part whose start fails is stopped with the others by stop()."""
        for part in self.start_order():
            self._started.append(part)
            part.start()
        return self

    def stop(self) -> None:
        """Stop the parts in reverse order, then remove the directory (kept with KEEP_TEST_DIRS)."""
        errors = []
        while self._started:
            part = self._started.pop()
            try:
                part.stop()
            except Exception as error:  # keep stopping the rest; report the first failure below
                errors.append(error)
        if not os.environ.get("KEEP_TEST_DIRS"):
            shutil.rmtree(self.base_dir, ignore_errors=True)
        if errors:
            raise errors[0]

    def write_file(self, name: str, text: str) -> str:
        """Replace base_dir/name atomically (write, then rename), readable by all; return its path."""
        path = os.path.join(self.base_dir, name)
        tmp = path + ".new"
        with open(tmp, "w") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        return path
