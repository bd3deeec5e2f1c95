# SPDX-License-Identifier: BSD-2-Clause
"""Capture sink: a small SMTP server on 127.0.0.1 that records each delivered message exactly.

It keeps the envelope (MAIL FROM, RCPT TO, as the client wrote them between the angle brackets) and
the DATA bytes after dot-unstuffing, CRLF line ends kept. Runs an asyncio loop in a thread of the
calling process, so there is no extra process to reap. Standard library only.
"""

import asyncio
import re
import threading
import time
from dataclasses import dataclass, field
from typing import List, Optional

_PATH_RE = re.compile(rb"^(?:MAIL FROM|RCPT TO):\s*<([^>]*)>", re.IGNORECASE)


@dataclass
class Delivery:
    """One message as the sink received it."""

    mail_from: str
    rcpt_to: List[str]
    data: bytes
    client: str = ""
    helo: str = ""
    mail_args: str = ""
    rcpt_args: List[str] = field(default_factory=list)  # ESMTP parameters of each RCPT, in order

    def header_block(self) -> bytes:
        """Return the header section (without the blank separator line)."""
        end = self.data.find(b"\r\n\r\n")
        return self.data if end < 0 else self.data[: end + 2]

    def body(self) -> bytes:
        """Return the body after the blank separator line."""
        end = self.data.find(b"\r\n\r\n")
        return b"" if end < 0 else self.data[end + 4 :]


@dataclass
class _Transaction:
    """State of one SMTP transaction in progress."""

    mail_from: Optional[str] = None
    mail_args: str = ""
    rcpt_to: List[str] = field(default_factory=list)
    rcpt_args: List[str] = field(default_factory=list)


class CaptureSink:
    """SMTP sink listening on 127.0.0.1:port that stores every message it accepts."""

    def __init__(self, port: int = 0):
        self._requested_port = port
        self.port = 0
        self._deliveries: List[Delivery] = []
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._server = None
        self._thread: Optional[threading.Thread] = None

    # ---- life cycle -------------------------------------------------------------------------
    def start(self) -> "CaptureSink":
        """Start the server thread; returns once the socket listens."""
        ready = threading.Event()

        def run():
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            self._server = self._loop.run_until_complete(
                asyncio.start_server(self._session, "127.0.0.1", self._requested_port)
            )
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            self._loop.run_forever()
            self._server.close()
            self._loop.run_until_complete(self._server.wait_closed())
            self._loop.close()

        self._thread = threading.Thread(target=run, name="capture-sink", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("capture sink did not start")
        return self

    def stop(self) -> None:
        """Stop the server thread (idempotent)."""
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    # ---- queries ----------------------------------------------------------------------------
    def wait_for(self, predicate, timeout: float = 30.0) -> List[Delivery]:
        """Wait until predicate(deliveries) is true; return the deliveries, or raise on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate(self._deliveries):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        "sink: condition not met within %.0fs; have %d deliveries"
                        % (timeout, len(self._deliveries))
                    )
                self._cond.wait(remaining)
            return list(self._deliveries)

    def wait_for_marker(self, marker: str, timeout: float = 30.0) -> Delivery:
        """Wait for the one delivery whose data contains marker (e.g. a unique Subject)."""
        needle = marker.encode()
        found = self.wait_for(lambda ds: any(needle in d.data for d in ds), timeout)
        matches = [d for d in found if needle in d.data]
        if len(matches) != 1:
            raise AssertionError("marker %r delivered %d times" % (marker, len(matches)))
        return matches[0]

    # ---- protocol ---------------------------------------------------------------------------
    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        """Serve one SMTP connection."""
        peer = writer.get_extra_info("peername")
        client = peer[0] if peer else ""
        helo = ""
        tx = _Transaction()

        async def reply(text: str):
            writer.write(text.encode() + b"\r\n")
            await writer.drain()

        try:
            await reply("220 sink.test ESMTP capture")
            while True:
                line = await asyncio.wait_for(reader.readline(), 120)
                if not line:
                    break
                command = line.rstrip(b"\r\n")
                verb = command[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    helo = command[5:].decode(errors="replace")
                    tx = _Transaction()
                    if verb == b"EHLO":
                        await reply("250-sink.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-DSN\r\n250 SIZE 52428800")
                    else:
                        await reply("250 sink.test")
                elif verb == b"MAIL":
                    match = _PATH_RE.match(command)
                    if not match:
                        await reply("501 5.5.4 syntax")
                        continue
                    tx = _Transaction(mail_from=match.group(1).decode(), mail_args=command[match.end():].decode().strip())
                    await reply("250 2.1.0 ok")
                elif verb == b"RCPT":
                    match = _PATH_RE.match(command)
                    if not match or tx.mail_from is None:
                        await reply("503 5.5.1 bad sequence")
                        continue
                    tx.rcpt_to.append(match.group(1).decode())
                    tx.rcpt_args.append(command[match.end():].decode().strip())
                    await reply("250 2.1.5 ok")
                elif verb == b"DATA":
                    if tx.mail_from is None or not tx.rcpt_to:
                        await reply("503 5.5.1 bad sequence")
                        continue
                    await reply("354 go ahead")
                    data = await self._read_data(reader)
                    with self._cond:
                        self._deliveries.append(
                            Delivery(tx.mail_from, list(tx.rcpt_to), data, client, helo, tx.mail_args, list(tx.rcpt_args))
                        )
                        self._cond.notify_all()
                    tx = _Transaction()
                    await reply("250 2.0.0 ok: captured")
                elif verb == b"RSET":
                    tx = _Transaction()
                    await reply("250 2.0.0 ok")
                elif verb == b"NOOP":
                    await reply("250 2.0.0 ok")
                elif verb == b"QUIT":
                    await reply("221 2.0.0 bye")
                    break
                else:
                    await reply("502 5.5.2 not implemented")
        except (asyncio.TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()

    @staticmethod
    async def _read_data(reader: asyncio.StreamReader) -> bytes:
        """Read DATA up to the lone dot, undoing dot-stuffing; CRLF line ends are kept."""
        chunks = []
        while True:
            line = await asyncio.wait_for(reader.readline(), 120)
            if not line:
                raise ConnectionError("connection closed in DATA")
            if line in (b".\r\n", b".\n"):
                return b"".join(chunks)
            if line.startswith(b"."):
                line = line[1:]
            chunks.append(line)
