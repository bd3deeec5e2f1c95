# SPDX-License-Identifier: BSD-2-Clause
"""Run a program under a fully qualified host name, in a private UTS namespace (needs root).

Usage: uts_exec.py HOSTNAME PROGRAM [ARG ...]

Sendmail sleeps 60 seconds at every start when the machine's host name has no dot and cannot be
qualified; containers are often named that way. This wrapper gives the program its own host name
without touching the machine's, then replaces itself with the program (same PID), so the caller can
stop the program by the PID it started.
"""

import ctypes
import os
import sys

CLONE_NEWUTS = 0x04000000


def main() -> int:
    """Unshare the UTS namespace, set the host name, exec the program."""
    if len(sys.argv) < 3:
        print("usage: uts_exec.py HOSTNAME PROGRAM [ARG ...]", file=sys.stderr)
        return 2
    hostname = sys.argv[1].encode()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWUTS) != 0:
        print("uts_exec: unshare(CLONE_NEWUTS): %s" % os.strerror(ctypes.get_errno()), file=sys.stderr)
        return 1
    if libc.sethostname(hostname, len(hostname)) != 0:
        print("uts_exec: sethostname: %s" % os.strerror(ctypes.get_errno()), file=sys.stderr)
        return 1
    os.execv(sys.argv[2], sys.argv[2:])
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main())
