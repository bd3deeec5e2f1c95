# SPDX-License-Identifier: BSD-2-Clause
"""Runs a socketserver server in a daemon thread of the test process: the Sendmail tests' DSN sink
and milter probe share the start and the idempotent stop."""
import socketserver
import threading


class BackgroundServer:
    """start() serves in a background thread; stop() ends serving and closes the socket (idempotent)."""

    def __init__(self, server: socketserver.BaseServer, name: str):
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)

    def start(self) -> "BackgroundServer":
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (idempotent)."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(10)
        self._server.server_close()
