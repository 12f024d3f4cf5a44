"""A loopback server that misbehaves at the socket level, for tests/test_hostile_servers.py.

Every connection reads one request (headers and Content-Length body), then does what
``behaviour`` says:

- ``drip_status``: writes a good answer one byte every ``interval`` seconds, status line first;
- ``drip_body``: writes the head at once, then the body ``piece`` bytes (1) every ``interval``;
- ``huge``: announces ``size`` bytes (or sends them chunked with ``announce=False``, and a
  lying ``Content-Length: small`` beside when ``small`` is set) and writes them as fast as
  the client reads;
- ``silent``: accepts and never writes (a TLS handshake or an answer that never comes);
- ``slow``: waits ``interval`` seconds, then answers ``body``; counts requests in flight;
- ``reset``: announces the body, writes half of it, then resets the connection.

    with HostileServer("drip_body", body=b'{"balance": "1"}', interval=0.3) as server:
        Client(creds, hosts=[server.url], total_timeout=1).call(Balance())  # DeadlineExceeded
"""

from __future__ import annotations

import socket
import struct
import threading
from types import TracebackType

__all__ = ["HostileServer"]


class HostileServer:
    def __init__(
        self,
        behaviour: str,
        *,
        body: bytes = b'{"balance": "1.00"}',
        interval: float = 0.3,
        size: int = 0,
        announce: bool = True,
        piece: int = 1,
        small: int | None = None,
    ) -> None:
        self.small = small
        self.behaviour = behaviour
        self.piece = piece
        self.body = body
        self.interval = interval
        self.size = size
        self.announce = announce
        self.requests = 0
        self.in_flight = 0
        self.most_in_flight = 0
        self.sent_bytes = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self._sock.settimeout(0.1)
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    @property
    def tls_url(self) -> str:
        return f"https://127.0.0.1:{self._sock.getsockname()[1]}"

    def __enter__(self) -> HostileServer:
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._sock.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        try:
            if self.behaviour == "silent":
                self._stop.wait(30)
                return
            while not self._stop.is_set() and self._read_request(conn):
                with self._lock:
                    self.requests += 1
                    self.in_flight += 1
                    self.most_in_flight = max(self.most_in_flight, self.in_flight)
                try:
                    getattr(self, f"_{self.behaviour}")(conn)
                finally:
                    with self._lock:
                        self.in_flight -= 1
        except OSError:
            pass
        finally:
            conn.close()

    def _read_request(self, conn: socket.socket) -> bool:
        data = b""
        while b"\r\n\r\n" not in data:
            piece = conn.recv(65536)
            if not piece:
                return False
            data += piece
        head, _, rest = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(rest) < length:
            piece = conn.recv(65536)
            if not piece:
                return False
            rest += piece
        return True

    def _answer(self, body: bytes) -> bytes:
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        return head.encode() + body

    def _drip(self, conn: socket.socket, data: bytes) -> None:
        for i in range(0, len(data), self.piece):
            if self._stop.wait(self.interval):
                return
            conn.sendall(data[i : i + self.piece])

    def _drip_status(self, conn: socket.socket) -> None:
        self._drip(conn, self._answer(self.body))

    def _drip_body(self, conn: socket.socket) -> None:
        answer = self._answer(self.body)
        head = len(answer) - len(self.body)
        conn.sendall(answer[:head])
        self._drip(conn, self.body)

    def _slow(self, conn: socket.socket) -> None:
        self._stop.wait(self.interval)
        conn.sendall(self._answer(self.body))

    def _reset(self, conn: socket.socket) -> None:
        answer = self._answer(self.body)
        conn.sendall(answer[: len(answer) - len(self.body) // 2])
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        raise OSError("reset")

    def _huge(self, conn: socket.socket) -> None:
        block = b"x" * 65536
        if self.announce:
            conn.sendall(
                f"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {self.size}\r\n\r\n".encode()
            )
        else:
            lie = b"" if self.small is None else b"Content-Length: %d\r\n" % self.small
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n%sTransfer-Encoding: chunked\r\n\r\n" % lie
            )
        left = self.size
        while left > 0 and not self._stop.is_set():
            piece = block[: min(left, len(block))]
            conn.sendall(piece if self.announce else b"%x\r\n%s\r\n" % (len(piece), piece))
            left -= len(piece)
            with self._lock:
                self.sent_bytes += len(piece)
        if not self.announce:
            conn.sendall(b"0\r\n\r\n")
