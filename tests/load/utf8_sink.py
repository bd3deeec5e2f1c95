# SPDX-License-Identifier: BSD-2-Clause
"""A small recording SMTP sink that announces SMTPUTF8 (the harness capture sink and smtp-sink do not),
so Postfix delivers SMTPUTF8 mail to it instead of bouncing it. Runs an asyncio loop in a thread and
stores each message as a capture_sink.Delivery (envelope as written between the brackets, DATA bytes
with CRLF kept). Standard library only.
"""

import asyncio
import re
import threading
import time
from typing import List, Optional

import loadkit  # noqa: F401  (puts tests/integration on sys.path)
from capture_sink import Delivery

_PATH_RE = re.compile(rb"^(?:MAIL FROM|RCPT TO):\s*<([^>]*)>(.*)$", re.IGNORECASE)
_EHLO = b"250-utf8-sink.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-DSN\r\n250 SIZE 104857600\r\n"


class Utf8Sink:
    """SMTP server on 127.0.0.1 (any free port) that keeps every accepted message."""

    def __init__(self):
        self.port = 0
        self.deliveries: List[Delivery] = []
        self._cond = threading.Condition()
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._thread: Optional[threading.Thread] = None

    def start(self) -> "Utf8Sink":
        """Start the server thread; return once it listens."""
        ready = threading.Event()

        def run():
            self._loop = asyncio.new_event_loop()
            server = self._loop.run_until_complete(asyncio.start_server(self._session, "127.0.0.1", 0, limit=1 << 24))
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            self._loop.run_forever()
            server.close()
            self._loop.run_until_complete(server.wait_closed())
            self._loop.close()

        self._thread = threading.Thread(target=run, name="utf8-sink", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("utf8 sink did not start")
        return self

    def stop(self) -> None:
        """Stop the server thread (idempotent)."""
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    def wait_for_marker(self, marker: bytes, timeout: float = 30.0) -> List[Delivery]:
        """Wait until a delivery contains marker; return every delivery that does."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [d for d in self.deliveries if marker in d.data]
                if found:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("no delivery with %r within %.0fs" % (marker, timeout))
                self._cond.wait(remaining)

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        """Serve one SMTP connection."""
        mail_from, mail_args, rcpts = None, "", []

        async def reply(text: bytes):
            writer.write(text if text.endswith(b"\r\n") else text + b"\r\n")
            await writer.drain()

        try:
            await reply(b"220 utf8-sink.test ESMTP")
            while True:
                line = await asyncio.wait_for(reader.readline(), 120)
                if not line:
                    break
                verb = line[:4].upper()
                if verb == b"EHLO":
                    await reply(_EHLO)
                elif verb == b"HELO":
                    await reply(b"250 utf8-sink.test")
                elif verb in (b"MAIL", b"RCPT"):
                    match = _PATH_RE.match(line.rstrip(b"\r\n"))
                    if not match:
                        await reply(b"501 5.5.4 syntax")
                    elif verb == b"MAIL":
                        mail_from, mail_args, rcpts = match.group(1).decode("utf-8", "replace"), \
                            match.group(2).decode("utf-8", "replace").strip(), []
                        await reply(b"250 2.1.0 ok")
                    else:
                        rcpts.append(match.group(1).decode("utf-8", "replace"))
                        await reply(b"250 2.1.5 ok")
                elif verb == b"DATA":
                    await reply(b"354 go ahead")
                    chunks = []
                    while True:
                        data_line = await asyncio.wait_for(reader.readline(), 120)
                        if not data_line:
                            raise ConnectionError("closed in DATA")
                        if data_line == b".\r\n":
                            break
                        chunks.append(data_line[1:] if data_line.startswith(b".") else data_line)
                    with self._cond:
                        self.deliveries.append(Delivery(mail_from or "", list(rcpts), b"".join(chunks), mail_args=mail_args))
                        self._cond.notify_all()
                    mail_from, rcpts = None, []
                    await reply(b"250 2.0.0 ok: captured")
                elif verb == b"QUIT":
                    await reply(b"221 2.0.0 bye")
                    break
                else:
                    await reply(b"250 2.0.0 ok")
        except (asyncio.TimeoutError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()
