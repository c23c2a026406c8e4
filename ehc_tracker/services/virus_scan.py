"""Scanning uploads with a ClamAV daemon (clamd), over its unix socket or TCP.

The INSTREAM command: "zINSTREAM\\0", then the file in chunks each preceded by its length (4
bytes, network order), then a zero length; clamd answers "stream: OK", "stream: <signature>
FOUND" or "... ERROR". With no daemon configured (CLAMAV_SOCKET, or CLAMAV_HOST and CLAMAV_PORT)
nothing is scanned; a configured daemon that cannot be reached refuses the upload.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from typing import Any, BinaryIO

CHUNK_BYTES = 64 * 1024


class ScannerUnavailable(RuntimeError):
    """The daemon could not be reached or did not give an answer."""


@dataclass(frozen=True)
class Scanner:
    socket_path: str | None = None
    host: str | None = None
    port: int = 3310
    timeout: float = 60.0

    @classmethod
    def from_settings(cls, config: Any) -> Scanner | None:
        """The configured daemon, or None when scanning is not set up."""
        path, host = config.get("CLAMAV_SOCKET"), config.get("CLAMAV_HOST")
        if not path and not host:
            return None
        return cls(
            socket_path=path or None,
            host=host or None,
            port=int(config.get("CLAMAV_PORT") or 3310),
            timeout=float(config.get("CLAMAV_TIMEOUT_SECONDS") or 60),
        )

    def _connect(self) -> socket.socket:
        try:
            if self.socket_path:
                connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                connection.settimeout(self.timeout)
                connection.connect(self.socket_path)
                return connection
            return socket.create_connection((self.host or "127.0.0.1", self.port), timeout=self.timeout)
        except OSError as exc:
            raise ScannerUnavailable(f"cannot reach the virus scanner: {exc}") from exc

    def ping(self) -> bool:
        try:
            with self._connect() as connection:
                connection.sendall(b"zPING\0")
                return _answer(connection) == "PONG"
        except (OSError, ScannerUnavailable):
            return False

    def scan(self, source: BinaryIO) -> str | None:
        """The name of the signature found in the file, or None when it is clean."""
        source.seek(0)
        try:
            with self._connect() as connection:
                connection.sendall(b"zINSTREAM\0")
                while chunk := source.read(CHUNK_BYTES):
                    connection.sendall(struct.pack("!L", len(chunk)) + chunk)
                connection.sendall(struct.pack("!L", 0))
                answer = _answer(connection)
        except OSError as exc:
            raise ScannerUnavailable(f"the virus scanner stopped answering: {exc}") from exc
        finally:
            source.seek(0)
        return _verdict(answer)


def _answer(connection: socket.socket) -> str:
    received = b""
    while not received.endswith(b"\0"):
        part = connection.recv(4096)
        if not part:
            break
        received += part
    return received.rstrip(b"\0").decode("utf-8", "replace").strip()


def _verdict(answer: str) -> str | None:
    _, _, result = answer.partition(": ")
    result = result or answer
    if result == "OK":
        return None
    if result.endswith(" FOUND"):
        return result[: -len(" FOUND")].strip() or "unknown"
    raise ScannerUnavailable(f"the virus scanner could not scan the file: {answer or 'no answer'}")
