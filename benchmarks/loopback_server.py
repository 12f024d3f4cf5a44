"""A minimal keep-alive HTTP/1.1 server on 127.0.0.1, in a process of its own, that answers
every POST with one fixed body: the server side of the call-overhead benchmarks, fast
enough that the client's own cost shows.

    with LoopbackServer(b'{"balance": "12.50"}') as url:
        ...  # POST anything to url
"""

from __future__ import annotations

import asyncio
import multiprocessing
import socket
from types import TracebackType

__all__ = ["LoopbackServer"]


class _Answer(asyncio.Protocol):
    def __init__(self, response: bytes) -> None:
        self.response = response
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].lower()
            marker = head.find(b"content-length:")
            length = 0 if marker < 0 else int(head[marker + 15 :].split(b"\r\n", 1)[0])
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            assert self.transport is not None
            self.transport.write(self.response)


def _serve(sock: socket.socket, body: bytes) -> None:
    response = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(lambda: _Answer(response), sock=sock)
        await server.serve_forever()

    asyncio.run(main())


class LoopbackServer:
    """The server process; the context manager gives its base URL."""

    def __init__(self, body: bytes) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(128)
        self._process = multiprocessing.get_context("fork").Process(
            target=_serve, args=(self._sock, body), daemon=True
        )

    def __enter__(self) -> str:
        self._process.start()
        port = self._sock.getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._process.terminate()
        self._process.join()
        self._sock.close()
