# SPDX-License-Identifier: BSD-2-Clause
"""A passive milter that records what the MTA sends it, packet by packet (milter protocol version 6).

Used to pin down the MTA side of the contract the daemon relies on: which macros arrive at which
stage, how MAIL FROM / RCPT TO and their ESMTP parameters are handed over (brackets, the null
sender), and header values with and without SMFIP_HDR_LEADSPC. It never changes a message: every
command gets "continue" (end of message "accept"). Listens on a unix socket in a thread of the test
process. Standard library only; written from the protocol description in libmilter's mfdef.h.
"""

import os
import socketserver
import struct
import threading
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from background_server import BackgroundServer

SMFIP_HDR_LEADSPC = 0x00100000
SMFIF_NONE = 0
SMFI_VERSION = 6


@dataclass
class MilterConnection:
    """Everything one MTA connection sent: the negotiation, macros by stage, and the commands."""

    mta_version: int = 0
    mta_actions: int = 0
    mta_protocol: int = 0
    leading_space: bool = False  # whether SMFIP_HDR_LEADSPC was negotiated
    # Macros in arrival order: (stage command letter, {name: value}).
    macros: List[Tuple[str, Dict[str, str]]] = field(default_factory=list)
    connect: Optional[Tuple[str, str, int, str]] = None  # hostname, family letter, port, address
    mail: List[List[str]] = field(default_factory=list)  # argv of each MAIL
    rcpt: List[List[str]] = field(default_factory=list)  # argv of each RCPT
    headers: List[Tuple[str, str]] = field(default_factory=list)  # (name, value) exactly as sent
    commands: str = ""  # command letters in order, e.g. "OCHMRRTLLNE"

    def macros_at(self, stage: str) -> Dict[str, str]:
        """The macros sent before the command of the given letter (merged over the connection)."""
        merged: Dict[str, str] = {}
        for letter, values in self.macros:
            if letter == stage:
                merged.update(values)
        return merged


def _cstrings(data: bytes) -> List[str]:
    """Split NUL-terminated strings."""
    parts = data.split(b"\0")
    if parts and parts[-1] == b"":
        parts.pop()
    return [p.decode("utf-8", "replace") for p in parts]


class _Handler(socketserver.BaseRequestHandler):
    """Speaks the milter protocol with one MTA connection."""

    def read_packet(self) -> Optional[Tuple[str, bytes]]:
        """Read one packet: (command letter, payload), or None at EOF."""
        header = self._read_exact(4)
        if header is None:
            return None
        (length,) = struct.unpack("!I", header)
        body = self._read_exact(length)
        if body is None or length == 0:
            return None
        return chr(body[0]), body[1:]

    def _read_exact(self, size: int) -> Optional[bytes]:
        """Read exactly size bytes, or None at EOF."""
        chunks = b""
        while len(chunks) < size:
            chunk = self.request.recv(size - len(chunks))
            if not chunk:
                return None
            chunks += chunk
        return chunks

    def send_packet(self, letter: str, payload: bytes = b"") -> None:
        """Send one reply packet."""
        self.request.sendall(struct.pack("!I", len(payload) + 1) + letter.encode() + payload)

    def handle(self) -> None:
        """Record every command; answer continue/accept."""
        probe: MilterProbe = self.server.probe  # type: ignore[attr-defined]
        conn = MilterConnection()
        probe.add(conn)
        while True:
            packet = self.read_packet()
            if packet is None:
                return
            letter, payload = packet
            conn.commands += letter
            if letter == "O":
                conn.mta_version, conn.mta_actions, conn.mta_protocol = struct.unpack("!III", payload[:12])
                conn.leading_space = probe.want_leading_space and bool(conn.mta_protocol & SMFIP_HDR_LEADSPC)
                protocol = SMFIP_HDR_LEADSPC if conn.leading_space else 0
                self.send_packet("O", struct.pack("!III", SMFI_VERSION, SMFIF_NONE, protocol))
            elif letter == "D":
                names_values = _cstrings(payload[1:])
                conn.macros.append((chr(payload[0]), dict(zip(names_values[0::2], names_values[1::2]))))
            elif letter == "C":
                end = payload.index(b"\0")
                hostname, family = payload[:end].decode(), chr(payload[end + 1])
                port, address = 0, ""
                if family in ("4", "6"):
                    (port,) = struct.unpack("!H", payload[end + 2 : end + 4])
                    address = payload[end + 4 :].rstrip(b"\0").decode()
                elif family == "L":
                    address = payload[end + 4 :].rstrip(b"\0").decode()
                conn.connect = (hostname, family, port, address)
                self.send_packet("c")
            elif letter == "M":
                conn.mail.append(_cstrings(payload))
                self.send_packet("c")
            elif letter == "R":
                conn.rcpt.append(_cstrings(payload))
                self.send_packet("c")
            elif letter == "L":
                name_end = payload.index(b"\0")
                value = payload[name_end + 1 :]
                conn.headers.append((payload[:name_end].decode(), value[:-1].decode("utf-8", "replace")))
                self.send_packet("c")
            elif letter in ("H", "T", "N", "B", "U"):
                self.send_packet("c")
            elif letter == "E":
                self.send_packet("a")
            elif letter == "Q":
                return
            # "A" (abort) and "K" (quit, new connection follows) need no reply.


class _Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True


class MilterProbe(BackgroundServer):
    """The probe: start() listens on socket_path, stop() ends it; connections() lists what it saw."""

    def __init__(self, socket_path: str):
        self.socket_path = socket_path
        if os.path.exists(socket_path):
            os.unlink(socket_path)
        self.want_leading_space = False
        server = _Server(socket_path, _Handler)
        server.probe = self  # type: ignore[attr-defined]
        super().__init__(server, "milter-probe")
        self._lock = threading.Lock()
        self._connections: List[MilterConnection] = []

    def stop(self) -> None:
        """Stop serving and remove the socket (idempotent)."""
        super().stop()
        if os.path.exists(self.socket_path):
            os.unlink(self.socket_path)

    def add(self, conn: MilterConnection) -> None:
        """Remember a new MTA connection."""
        with self._lock:
            self._connections.append(conn)

    def connections(self) -> List[MilterConnection]:
        """Every MTA connection so far (Sendmail opens one per SMTP session)."""
        with self._lock:
            return list(self._connections)

