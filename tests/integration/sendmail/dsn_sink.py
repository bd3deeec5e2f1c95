# SPDX-License-Identifier: BSD-2-Clause
"""SMTP capture sink with DSN: records what Sendmail relays, envelope parameters included.

Unlike ../capture_sink.py it advertises DSN (RFC 3461) and keeps the ESMTP parameters of MAIL and of
each RCPT, so a test can see whether NOTIFY= and ORCPT= survive a recipient rewrite; it refuses the
recipients a test names, so the MTA has to write a bounce. An MTA passes
those parameters on only to a server that announces DSN. Runs in a thread of the test process (no
child to reap); listens on 127.0.0.1 only. Standard library only.
"""

import socketserver
import threading
import time
from dataclasses import dataclass
from typing import Dict, List, Optional, Set, Tuple

from background_server import BackgroundServer


@dataclass
class Recipient:
    """One RCPT TO: the path between the angle brackets and its ESMTP parameters, as sent."""

    address: str
    params: str = ""


@dataclass
class Delivery:
    """One message as the sink received it; data is after dot-unstuffing, with CRLF line ends."""

    mail_from: str
    mail_params: str
    recipients: List[Recipient]
    data: bytes

    @property
    def rcpt_to(self) -> List[str]:
        """The recipient addresses in the order received."""
        return [r.address for r in self.recipients]

    def rcpt_params(self) -> Dict[str, str]:
        """Map each recipient address to its ESMTP parameters."""
        return {r.address: r.params for r in self.recipients}

    def header_block(self) -> bytes:
        """The header section including the CRLF of its last line (no blank separator line)."""
        end = self.data.find(b"\r\n\r\n")
        return self.data if end < 0 else self.data[: end + 2]

    def body(self) -> bytes:
        """The bytes after the blank line that ends the header section."""
        end = self.data.find(b"\r\n\r\n")
        return b"" if end < 0 else self.data[end + 4 :]


def split_path(argument: bytes) -> Tuple[str, str]:
    """Split 'FROM:<path> PARAMS' (or 'TO:...') into the path and the parameters; raise ValueError."""
    colon = argument.find(b":")
    rest = argument[colon + 1 :].lstrip()
    if colon < 0 or not rest.startswith(b"<"):
        raise ValueError("no <path>")
    close = rest.find(b">")
    if close < 0:
        raise ValueError("unterminated <path>")
    return rest[1:close].decode("utf-8", "replace"), rest[close + 1 :].strip().decode("utf-8", "replace")


class _Handler(socketserver.StreamRequestHandler):
    """Serves one SMTP connection for the DsnSink that owns the server."""

    timeout = 60

    def reply(self, text: str) -> None:
        """Send one (possibly multi-line, CRLF-joined) reply."""
        self.wfile.write(text.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        """Read commands until QUIT or EOF."""
        sink: DsnSink = self.server.sink  # type: ignore[attr-defined]
        self.reply("220 sink.example.test ESMTP capture")
        mail: Optional[Tuple[str, str]] = None
        rcpts: List[Recipient] = []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.rstrip(b"\r\n")
            verb = command[:4].upper()
            if verb == b"EHLO":
                self.reply("250-sink.example.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SIZE 52428800\r\n250 DSN")
            elif verb == b"HELO":
                self.reply("250 sink.example.test")
            elif verb in (b"MAIL", b"RCPT"):
                try:
                    path, params = split_path(command[4:])
                except ValueError as e:
                    self.reply("501 5.5.4 %s" % e)
                    continue
                if verb == b"MAIL":
                    mail, rcpts = (path, params), []
                    self.reply("250 2.1.0 ok")
                elif mail is None:
                    self.reply("503 5.5.1 MAIL first")
                elif sink.refuses(path):
                    self.reply("550 5.1.1 <%s>: mailbox unavailable" % path)
                else:
                    rcpts.append(Recipient(path, params))
                    self.reply("250 2.1.5 ok")
            elif verb == b"DATA":
                if mail is None or not rcpts:
                    self.reply("503 5.5.1 bad sequence")
                    continue
                self.reply("354 go ahead")
                data = self.read_data()
                if data is None:
                    return
                sink.record(Delivery(mail[0], mail[1], rcpts, data))
                mail, rcpts = None, []
                self.reply("250 2.0.0 ok: captured")
            elif verb == b"RSET":
                mail, rcpts = None, []
                self.reply("250 2.0.0 ok")
            elif verb == b"NOOP":
                self.reply("250 2.0.0 ok")
            elif verb == b"QUIT":
                self.reply("221 2.0.0 bye")
                return
            else:
                self.reply("502 5.5.2 not implemented")

    def read_data(self) -> Optional[bytes]:
        """Read message data up to the lone dot, undoing dot-stuffing; None on EOF."""
        chunks = []
        while True:
            line = self.rfile.readline()
            if not line:
                return None
            if line == b".\r\n":
                return b"".join(chunks)
            chunks.append(line[1:] if line.startswith(b".") else line)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class DsnSink(BackgroundServer):
    """The sink: start() listens on 127.0.0.1 (a free port unless one is given), stop() ends it."""

    def __init__(self, port: int = 0):
        server = _Server(("127.0.0.1", port), _Handler)
        server.sink = self  # type: ignore[attr-defined]
        super().__init__(server, "dsn-sink")
        self.port = server.server_address[1]
        self._deliveries: List[Delivery] = []
        self._refused: Set[str] = set()
        self._cond = threading.Condition()

    def refuse(self, address: str) -> None:
        """Answer RCPT TO:<address> (compared without case) with 550 5.1.1 from now on."""
        with self._cond:
            self._refused.add(address.lower())

    def refuses(self, address: str) -> bool:
        """Whether RCPT TO:<address> is answered with 550."""
        with self._cond:
            return address.lower() in self._refused

    def record(self, delivery: Delivery) -> None:
        """Store a delivery and wake waiters."""
        with self._cond:
            self._deliveries.append(delivery)
            self._cond.notify_all()

    def deliveries(self) -> List[Delivery]:
        """A snapshot of all deliveries so far."""
        with self._cond:
            return list(self._deliveries)

    def wait_for_marker(self, marker: bytes, timeout: float) -> List[Delivery]:
        """Wait until a delivery contains marker; return every delivery that does."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [d for d in self._deliveries if marker in d.data]
                if found:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("no delivery containing %r within %.0fs (%d deliveries in all)"
                                       % (marker, timeout, len(self._deliveries)))
                self._cond.wait(remaining)
