# SPDX-License-Identifier: BSD-2-Clause
"""Load-test kit: Postfix's smtp-sink as a fast sink, a tunable private Postfix, a quiet milter, and an
asyncio SMTP client that keeps many sessions busy and re-sends whatever was refused with 4xx.

Builds on tests/integration (postfix_instance, milter_process) without changing it. Every process is
stopped by PID. Standard library only.
"""

import asyncio
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence

HERE = os.path.dirname(os.path.abspath(__file__))
INTEGRATION_DIR = os.path.join(os.path.dirname(HERE), "integration")
if INTEGRATION_DIR not in sys.path:
    sys.path.insert(0, INTEGRATION_DIR)

from milter_process import MilterProcess, milter_binary  # noqa: E402
from postfix_instance import SBIN, PostfixInstance, free_port, wait_for_port  # noqa: E402
from staged_environment import StagedEnvironment  # noqa: E402

SMTP_SINK = os.path.join(SBIN, "smtp-sink")
SMTP_SOURCE = os.path.join(SBIN, "smtp-source")


class SmtpSink:
    """Postfix's smtp-sink on 127.0.0.1: throws mail away, or dumps one file per message."""

    def __init__(self, port: int, dump_dir: Optional[str] = None, max_messages: Optional[int] = None):
        self.port = port
        self.dump_dir = dump_dir
        self.max_messages = max_messages
        self.proc: Optional[subprocess.Popen] = None

    def start(self) -> "SmtpSink":
        """Start the sink (as user postfix) and wait until it accepts connections."""
        args = [SMTP_SINK, "-u", "postfix", "-m", "512"]
        if self.dump_dir:
            os.makedirs(self.dump_dir, exist_ok=True)
            os.chown(self.dump_dir, _uid("postfix"), -1)
            args += ["-d", os.path.join(self.dump_dir, "%s.")]  # %s: seconds; a random suffix follows
        if self.max_messages:
            # The readiness probe below is one session but no message, so the count stays exact.
            args += ["-M", str(self.max_messages)]
        args += ["127.0.0.1:%d" % self.port, "256"]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        wait_for_port(self.port)
        return self

    def wait(self, timeout: float) -> bool:
        """Wait until the sink exits on its own (after max_messages); True when it did."""
        try:
            self.proc.wait(timeout)
            return True
        except subprocess.TimeoutExpired:
            return False

    def stop(self) -> None:
        """Stop the sink by PID (idempotent)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def dumps(self) -> List["Dumped"]:
        """Parse every dump file written so far."""
        if not self.dump_dir:
            return []
        out = []
        for name in sorted(os.listdir(self.dump_dir)):
            with open(os.path.join(self.dump_dir, name), "rb") as f:
                out.append(parse_dump(f.read(), name))
        return out


@dataclass
class Dumped:
    """One message as smtp-sink dumped it: envelope and the message after smtp-sink's own headers."""

    name: str
    mail_from: str
    rcpt_to: List[str]
    message: bytes  # LF line ends, as smtp-sink writes them

    def header_block(self) -> bytes:
        """The header section, ending with LF, without the blank line."""
        end = self.message.find(b"\n\n")
        return self.message if end < 0 else self.message[: end + 1]

    def header(self, name: str) -> Optional[bytes]:
        """The first header field called name, unfolded value with its leading space, or None."""
        match = re.search(rb"(?im)^" + re.escape(name.encode()) + rb":((?:.*\n[ \t])*.*)$", self.header_block())
        return match.group(1) if match else None


_ENV_RE = re.compile(rb"^<([^>]*)>")


def parse_dump(data: bytes, name: str = "") -> Dumped:
    """Split an smtp-sink dump into envelope (X-Mail-Args, X-Rcpt-Args) and the message proper."""
    mail_from, rcpts = "", []
    pos = 0
    while True:
        end = data.index(b"\n", pos)
        line = data[pos:end]
        pos = end + 1
        if line.startswith(b"X-Mail-Args: "):
            m = _ENV_RE.match(line[13:])
            mail_from = m.group(1).decode("utf-8", "replace") if m else ""
        elif line.startswith(b"X-Rcpt-Args: "):
            m = _ENV_RE.match(line[13:])
            rcpts.append(m.group(1).decode("utf-8", "replace") if m else "")
        elif line.startswith(b"Received: "):
            break
    # smtp-sink's Received header has two continuation lines.
    for _ in range(2):
        pos = data.index(b"\n", pos) + 1
    return Dumped(name, mail_from, rcpts, data[pos:])


class LoadPostfix(PostfixInstance):
    """The integration tests' private Postfix with some main.cf parameters replaced or added."""

    def __init__(self, base_dir: str, sink_port: int, milter: str = "", overrides: Optional[Dict[str, str]] = None):
        super().__init__(base_dir, sink_port, milter)
        self.overrides = dict(overrides or {})
        self.extra_files: Dict[str, str] = {}  # name under the config dir -> content

    def write_config(self) -> None:
        """Write the standard config, then apply the overrides and extra files."""
        super().write_config()
        path = os.path.join(self.config_dir, "main.cf")
        with open(path) as f:
            lines = f.read().splitlines()
        pending = dict(self.overrides)
        for i, line in enumerate(lines):
            key = line.split("=", 1)[0].strip()
            if "=" in line and not line.startswith("#") and key in pending:
                lines[i] = "%s = %s" % (key, pending.pop(key))
        lines += ["%s = %s" % kv for kv in pending.items()]
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        for name, content in self.extra_files.items():
            with open(os.path.join(self.config_dir, name), "w") as f:
                f.write(content)


class TunedMilter(MilterProcess):
    """rewrite-milter with a chosen verbosity (the harness always passes one -v)."""

    def __init__(self, binary: str, base_dir: str, rules_path: str, extra_args=None, verbosity: int = 1,
                 wrapper=None, keep_stderr: bool = True):
        super().__init__(binary, base_dir, rules_path, extra_args)
        self.keep_stderr = keep_stderr
        self.verbosity = verbosity
        self.wrapper = list(wrapper or [])  # a command the milter runs under (valgrind ...), exec'ing it

    def command(self) -> List[str]:
        """The harness command line with -v repeated `verbosity` times, after the wrapper if any."""
        args = [a for a in super().command() if a != "-v"]
        return self.wrapper + args[:1] + ["-v"] * self.verbosity + args[1:]

    @property
    def pid(self) -> Optional[int]:
        """PID of the current daemon process."""
        return self.proc.pid if self.proc else None


def _uid(user: str) -> int:
    """uid of a user name."""
    import pwd

    return pwd.getpwnam(user).pw_uid


# ---- asyncio SMTP load client ---------------------------------------------------------------------

@dataclass
class Job:
    """One message to deliver: sent until a 250 after DATA, or until attempts run out."""

    key: str
    sender: str
    recipients: Sequence[str]
    data: bytes  # CRLF line ends, not yet dot-stuffed
    mail_params: str = ""
    attempts: int = 0
    refusals: List[str] = field(default_factory=list)  # "stage code text" of each refused attempt
    accepted: bool = False
    unsure: int = 0  # attempts whose end of DATA got no reply (the MTA may have queued them)


@dataclass
class LoadReport:
    """What a load run did."""

    jobs: List[Job]
    seconds: float
    sessions_opened: int

    @property
    def accepted(self) -> int:
        """Messages accepted with 250."""
        return sum(1 for j in self.jobs if j.accepted)

    @property
    def refused_attempts(self) -> int:
        """Attempts refused (4xx, or a dropped connection) and re-sent."""
        return sum(len(j.refusals) for j in self.jobs)


class _Session:
    """One SMTP client connection (no pipelining)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader = reader
        self.writer = writer

    async def reply(self, timeout: float = 60.0):
        """Read one (possibly multi-line) reply: (code, text)."""
        lines = []
        while True:
            line = await asyncio.wait_for(self.reader.readline(), timeout)
            if not line:
                raise ConnectionError("connection closed")
            lines.append(line.rstrip(b"\r\n"))
            if len(line) < 4 or line[3:4] != b"-":
                break
        return int(lines[-1][:3]), b"\n".join(l[4:] for l in lines).decode("utf-8", "replace")

    async def command(self, text: bytes):
        """Send one command line; return its reply."""
        self.writer.write(text + b"\r\n")
        await self.writer.drain()
        return await self.reply()

    def close(self) -> None:
        """Drop the connection."""
        self.writer.close()

    async def quit(self) -> None:
        """Say QUIT (whatever the server answers, or if it is gone) and drop the connection."""
        try:
            await self.command(b"QUIT")
        except (OSError, ConnectionError, asyncio.TimeoutError, ValueError):
            pass
        self.close()


def dot_stuff(data: bytes) -> bytes:
    """SMTP transparency: double a leading dot on every line, end with CRLF.CRLF."""
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    stuffed = b"\r\n".join(b"." + l if l.startswith(b".") else l for l in data.split(b"\r\n"))
    return stuffed + b".\r\n"


async def _open(port: int, helo: str) -> _Session:
    """Connect and greet."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
    session = _Session(reader, writer)
    code, text = await session.reply()
    if code != 220:
        session.close()
        raise ConnectionError("greeting %d %s" % (code, text))
    code, text = await session.command(b"EHLO " + helo.encode())
    if code != 250:
        session.close()
        raise ConnectionError("EHLO %d %s" % (code, text))
    return session


async def _transaction(session: _Session, job: Job):
    """Run one mail transaction: (stage, code, text); stage is 'DATA.' when the final reply came."""
    params = (" " + job.mail_params) if job.mail_params else ""
    code, text = await session.command(("MAIL FROM:<%s>%s" % (job.sender, params)).encode())
    if code != 250:
        return "MAIL", code, text
    for rcpt in job.recipients:
        code, text = await session.command(("RCPT TO:<%s>" % rcpt).encode())
        if code not in (250, 251):
            return "RCPT", code, text
    code, text = await session.command(b"DATA")
    if code != 354:
        return "DATA", code, text
    session.writer.write(dot_stuff(job.data))
    await session.writer.drain()
    job.unsure += 1  # until the reply arrives the MTA may or may not have the message
    code, text = await session.reply(timeout=120)
    job.unsure -= 1
    return "DATA.", code, text


async def _run_load(port: int, jobs: List[Job], sessions: int, per_connection: int, retry_delay: float,
                    max_attempts: int, deadline: float, on_accept: Optional[Callable[[Job], None]]) -> int:
    """Drive all jobs through `sessions` workers; return how many connections were opened."""
    queue: asyncio.Queue = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    remaining = [len(jobs)]
    opened = [0]
    done = asyncio.Event()

    def finished(job: Job) -> None:
        remaining[0] -= 1
        if remaining[0] == 0:
            done.set()

    pending_retries = set()  # keeps the retry tasks referenced until they ran

    async def requeue_later(job: Job) -> None:
        await asyncio.sleep(retry_delay)
        queue.put_nowait(job)

    async def worker(n: int) -> None:
        session: Optional[_Session] = None
        sent_on_session = 0
        while not done.is_set() and time.monotonic() < deadline:
            try:
                job = await asyncio.wait_for(queue.get(), 0.5)
            except asyncio.TimeoutError:
                continue
            job.attempts += 1
            try:
                if session is None:
                    session = await _open(port, "load%d.example.net" % n)
                    opened[0] += 1
                    sent_on_session = 0
                stage, code, text = await _transaction(session, job)
                sent_on_session += 1
            except (OSError, ConnectionError, asyncio.TimeoutError, ValueError) as e:
                stage, code, text = "CONN", 0, str(e) or type(e).__name__
                if session is not None:
                    session.close()
                session = None
            if stage == "DATA." and code == 250:
                job.accepted = True
                if on_accept:
                    on_accept(job)
                finished(job)
            else:
                job.refusals.append("%s %d %s" % (stage, code, text))
                if session is not None:
                    # After a refusal start afresh: Postfix keeps a failed milter off for the session.
                    await session.quit()
                    session = None
                if 500 <= code < 600 or job.attempts >= max_attempts:
                    finished(job)  # permanent: reported, never re-sent
                else:
                    task = asyncio.ensure_future(requeue_later(job))
                    pending_retries.add(task)
                    task.add_done_callback(pending_retries.discard)
            if session is not None and sent_on_session >= per_connection:
                await session.quit()
                session = None
        if session is not None:
            session.close()

    await asyncio.gather(*(worker(n) for n in range(sessions)))
    return opened[0]


def run_load(port: int, jobs: List[Job], sessions: int = 50, per_connection: int = 10, retry_delay: float = 0.2,
             max_attempts: int = 100, timeout: float = 900.0,
             on_accept: Optional[Callable[[Job], None]] = None) -> LoadReport:
    """Send every job through `sessions` concurrent SMTP sessions (each sends up to per_connection
    messages, then reconnects); a 4xx or a dropped connection re-queues the job after retry_delay."""
    start = time.monotonic()
    opened = asyncio.run(_run_load(port, jobs, sessions, per_connection, retry_delay, max_attempts,
                                   start + timeout, on_accept))
    return LoadReport(jobs, time.monotonic() - start, opened)


# ---- one environment per test: sink + milter + Postfix ---------------------------------------------

class LoadEnvironment(StagedEnvironment):
    """smtp-sink (dumping, or any object with start/stop/port) + rewrite-milter + private Postfix."""

    def __init__(self, rules: str, milter_args: Sequence[str] = ("--outbound-daemon-names", "ORIGINATING"),
                 verbosity: int = 1, overrides: Optional[Dict[str, str]] = None, sink=None):
        super().__init__("rewrite-load-")
        self.rules_path = self.write_file("rules", rules)
        self.sink = sink if sink is not None else SmtpSink(free_port(), os.path.join(self.base_dir, "dump"))
        self.milter = TunedMilter(milter_binary(), self.base_dir, self.rules_path, list(milter_args), verbosity)
        self.overrides = dict(overrides or {})
        self.postfix: Optional[LoadPostfix] = None

    def start_order(self):
        """Sink, milter, then Postfix (which needs the sink's port and the milter's socket)."""
        yield self.sink
        yield self.milter
        self.postfix = LoadPostfix(self.base_dir, self.sink.port, self.milter.postfix_socket, self.overrides)
        yield self.postfix

    def write_rules(self, text: str) -> None:
        """Replace the rules file atomically (write + rename)."""
        self.write_file("rules", text)

    def wait_drained(self, expected: int, timeout: float) -> None:
        """Wait until Postfix's queue is empty and the dump dir holds at least `expected` files."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            have = len(os.listdir(self.sink.dump_dir)) if os.path.isdir(self.sink.dump_dir) else 0
            if have >= expected and self.postfix.queue_is_empty():
                return
            time.sleep(1.0)
        raise TimeoutError("after %.0fs: %d of %d messages at the sink; queue:\n%s"
                           % (timeout, have, expected, self.postfix.queue_listing()[-2000:]))

    def diagnostics(self) -> str:
        """Tails of the Postfix and milter logs."""
        return ("--- postfix log (tail) ---\n" + (self.postfix.log_text()[-3000:] if self.postfix else "") +
                "\n--- milter log (tail) ---\n" + self.milter.log_text()[-3000:])


def env_int(name: str, default: int) -> int:
    """An integer from the environment, or default."""
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default
