# SPDX-License-Identifier: BSD-2-Clause
"""A private Sendmail daemon on 127.0.0.1 for the integration tests, built from Debian's packages.

setup-sendmail unpacks Sendmail into SENDMAIL_DIR (the build tree); this module writes a sendmail.mc
for one test run, builds sendmail.cf from it with m4 and the packaged cf macros, and runs
`sendmail -bD` (foreground daemon) as a child stopped by PID. The configuration: two listeners on
127.0.0.1, Name=ORIGINATING (outbound submissions) and Name=MTA (mail from the outside), a private
queue, no local delivery, everything relayed to the capture sink, optionally the rewrite milter
(INPUT_MAIL_FILTER, F=T: tempfail when the milter is unreachable). No DNS: the host table is a private
file and the host name is given in a private UTS namespace (uts_exec.py).
"""

import glob
import os
import select
import signal
import socket
import subprocess
import sys
import time
from typing import List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
HOSTNAME = "mta.example.test"

# The .mc for one run. @NAME@ markers are filled in by SendmailInstance.write_config.
MC_TEMPLATE = """\
divert(-1)
# rewrite-milter integration test: a private Sendmail that relays everything to a capture sink.
divert(0)dnl
VERSIONID(`rewrite-milter integration test')dnl
OSTYPE(`linux')dnl
define(`confDOMAIN_NAME', `@HOSTNAME@')dnl
define(`confDONT_PROBE_INTERFACES', `True')dnl
define(`confSERVICE_SWITCH_FILE', `@DIR@/service.switch')dnl
define(`confHOSTS_FILE', `@DIR@/hosts')dnl
define(`QUEUE_DIR', `@DIR@/mqueue')dnl
define(`confPID_FILE', `@DIR@/sendmail.pid')dnl
define(`STATUS_FILE', `@DIR@/statistics')dnl
define(`ALIAS_FILE', `@DIR@/aliases')dnl
define(`confHELP_FILE', `@DIR@/helpfile')dnl
dnl The test directories live under /tmp (world writable, sticky): trust the sticky bit, or Sendmail
dnl calls the milter socket path unsafe and refuses to start.
define(`confDONT_BLAME_SENDMAIL', `TrustStickyBit')dnl
dnl Deliver before answering DATA, so the sink has the message when the client sees 250.
define(`confDELIVERY_MODE', `interactive')dnl
dnl Never queue or refuse because the (shared) machine is busy.
define(`confQUEUE_LA', `999')dnl
define(`confREFUSE_LA', `999')dnl
define(`confDELAY_LA', `0')dnl
define(`confTO_IDENT', `0s')dnl
define(`confTO_CONNECT', `10s')dnl
define(`confTO_INITIAL', `10s')dnl
dnl No local delivery: every recipient domain goes to the smart host, the capture sink.
define(`SMART_HOST', `[127.0.0.1]')dnl
define(`RELAY_MAILER_ARGS', `TCP $h @SINK_PORT@')dnl
FEATURE(`no_default_msa')dnl
FEATURE(`promiscuous_relay')dnl
FEATURE(`nocanonify')dnl
FEATURE(`accept_unresolvable_domains')dnl
FEATURE(`accept_unqualified_senders')dnl
DAEMON_OPTIONS(`Port=@ORIGINATING_PORT@, Addr=127.0.0.1, Name=ORIGINATING')dnl
DAEMON_OPTIONS(`Port=@MTA_PORT@, Addr=127.0.0.1, Name=MTA')dnl
@MILTER@dnl
MAILER(`smtp')dnl
"""

MILTER_LINE = "INPUT_MAIL_FILTER(`rewrite', `S=unix:@SOCKET@, F=T, T=S:30s;R:30s')\n"


def setup_dir() -> str:
    """The directory setup-sendmail filled (environment SENDMAIL_DIR)."""
    default = os.path.join(HERE, "..", "..", "..", "build", "tests", "integration", "sendmail", "sendmail-pkg")
    return os.environ.get("SENDMAIL_DIR", os.path.normpath(default))


def preconditions_problem() -> str:
    """Why Sendmail cannot run here, or "" when it can."""
    root = os.path.join(setup_dir(), "root")
    if not os.path.isfile(os.path.join(setup_dir(), "ready")):
        return "Sendmail is not unpacked: run tests/integration/sendmail/setup-sendmail %s" % setup_dir()
    if not os.access(os.path.join(root, "usr/libexec/sendmail/sendmail"), os.X_OK):
        return "no sendmail binary under %s" % root
    if os.geteuid() != 0:
        return "the Sendmail tests run as root (private UTS namespace, queue owned by root)"
    return ""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_accepts(port: int) -> bool:
    """True when something accepts TCP connections on 127.0.0.1:port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


class SendmailInstance:
    """One Sendmail daemon with its configuration and queue under base_dir."""

    def __init__(self, base_dir: str, sink_port: int, milter_socket: str = ""):
        self.dir = os.path.join(base_dir, "sendmail")
        self.root = os.path.join(setup_dir(), "root")
        self.sink_port = sink_port
        self.milter_socket = milter_socket
        self.originating_port = 0
        self.mta_port = 0
        self.cf_path = os.path.join(self.dir, "sendmail.cf")
        self.log_path = os.path.join(self.dir, "sendmail.log")
        self.traffic_path = os.path.join(self.dir, "traffic")
        self.proc: Optional[subprocess.Popen] = None

    # ---- configuration ----------------------------------------------------------------------
    def environment(self) -> dict:
        """The environment for Sendmail and m4: the private library directories first."""
        libs = sorted({os.path.dirname(p) for p in glob.glob(os.path.join(self.root, "usr/lib/*/*.so*"))})
        env = dict(os.environ)
        env["LD_LIBRARY_PATH"] = ":".join(libs + [env.get("LD_LIBRARY_PATH", "")]).rstrip(":")
        return env

    def write_config(self) -> None:
        """Write the .mc, the host table and friends, and build sendmail.cf with m4."""
        os.makedirs(os.path.join(self.dir, "mqueue"), mode=0o700, exist_ok=True)
        os.chmod(self.dir, 0o755)
        self.originating_port = free_port()
        self.mta_port = free_port()
        while self.mta_port == self.originating_port:
            self.mta_port = free_port()
        files = {
            "hosts": "127.0.0.1\t%s localhost\n" % HOSTNAME,
            "service.switch": "hosts\tfiles\naliases\tfiles\n",
            "aliases": "",
            "helpfile": "",
        }
        for name, text in files.items():
            with open(os.path.join(self.dir, name), "w") as f:
                f.write(text)
        milter = MILTER_LINE.replace("@SOCKET@", self.milter_socket) if self.milter_socket else ""
        mc = (MC_TEMPLATE.replace("@MILTER@", milter).replace("@HOSTNAME@", HOSTNAME).replace("@DIR@", self.dir)
              .replace("@SINK_PORT@", str(self.sink_port))
              .replace("@ORIGINATING_PORT@", str(self.originating_port))
              .replace("@MTA_PORT@", str(self.mta_port)))
        with open(self.cf_path, "w") as f:
            f.write(self.build_cf(mc))

    def build_cf(self, mc: str, mc_name: str = "sendmail.mc") -> str:
        """Run the packaged cf macros over mc text (kept as mc_name); return the sendmail.cf text."""
        os.makedirs(self.dir, exist_ok=True)
        mc_path = os.path.join(self.dir, mc_name)
        with open(mc_path, "w") as f:
            f.write(mc)
        cf_dir = os.path.join(self.root, "usr/share/sendmail/cf")
        m4 = os.path.join(self.root, "usr/bin/m4")
        result = subprocess.run([m4, "-D_CF_DIR_=%s/" % cf_dir, os.path.join(cf_dir, "m4/cf.m4"), mc_path],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.environment(), timeout=30)
        if result.returncode != 0:
            raise RuntimeError("m4 failed: %s" % result.stderr.decode(errors="replace"))
        return result.stdout.decode()

    # ---- life cycle -------------------------------------------------------------------------
    def command(self, *args: str) -> List[str]:
        """A sendmail command line with this configuration, under the qualified host name."""
        binary = os.path.join(self.root, "usr/libexec/sendmail/sendmail")
        return [sys.executable, os.path.join(HERE, "uts_exec.py"), HOSTNAME, binary, "-C", self.cf_path] + list(args)

    def start(self, timeout: float = 20.0) -> "SendmailInstance":
        """Write the configuration, start the daemon, wait until both listeners accept."""
        self.write_config()
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.command("-bD", "-X", self.traffic_path), stdin=subprocess.DEVNULL,
                                     stdout=log, stderr=log, env=self.environment(), start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("sendmail exited with %d at start:\n%s" % (self.proc.returncode, self.log_text()))
            if port_accepts(self.originating_port) and port_accepts(self.mta_port):
                return self
            time.sleep(0.1)
        raise TimeoutError("sendmail did not listen on %d and %d:\n%s"
                           % (self.originating_port, self.mta_port, self.log_text()))

    def stop(self) -> None:
        """Stop the daemon and the session children in its process group: SIGTERM, then SIGKILL."""
        if self.proc is None or self.proc.poll() is not None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.proc.pid, sig)  # the group the daemon leads (start_new_session)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(10)
                break
            except subprocess.TimeoutExpired:
                continue

    def local_smtp(self, commands: List[bytes], timeout: float = 30.0) -> List[str]:
        """Speak SMTP with `sendmail -bs` (a local submission): send each command (a DATA payload is
        one item, without the final dot line) after the previous reply; return every final reply line,
        the greeting first. Sendmail refuses a client that talks before its turn, hence the dialogue."""
        proc = subprocess.Popen(self.command("-bs"), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, env=self.environment(), bufsize=0)
        replies: List[str] = []
        deadline = time.monotonic() + timeout
        try:
            replies.append(self._read_reply(proc, deadline))
            for command in commands:
                proc.stdin.write(command + b"\r\n" + (b".\r\n" if replies[-1].startswith("354") else b""))
                proc.stdin.flush()
                replies.append(self._read_reply(proc, deadline))
        finally:
            proc.stdin.close()
            proc.stdout.close()
            try:
                proc.wait(max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        return replies

    @staticmethod
    def _read_reply(proc: subprocess.Popen, deadline: float) -> str:
        """Read one (possibly multi-line) SMTP reply from proc's unbuffered output; return its last line."""
        while True:
            ready, _, _ = select.select([proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise TimeoutError("sendmail -bs: no reply in time")
            line = proc.stdout.readline().decode(errors="replace").rstrip("\r\n")
            if not line:
                raise RuntimeError("sendmail -bs: output ended")
            if len(line) < 4 or line[3] != "-":
                return line

    # ---- diagnostics ------------------------------------------------------------------------
    def log_text(self) -> str:
        """Sendmail's own output and the tail of its SMTP traffic log (-X)."""
        parts = []
        for path, limit in ((self.log_path, 4000), (self.traffic_path, 6000)):
            try:
                with open(path, errors="replace") as f:
                    parts.append("--- %s ---\n%s" % (os.path.basename(path), f.read()[-limit:]))
            except OSError:
                pass
        return "\n".join(parts)

    def queue_listing(self) -> str:
        """The output of `sendmail -bp` for this queue."""
        try:
            result = subprocess.run(self.command("-bp"), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    env=self.environment(), timeout=20)
            return result.stdout.decode(errors="replace")
        except (OSError, subprocess.TimeoutExpired) as e:
            return "sendmail -bp failed: %s" % e
