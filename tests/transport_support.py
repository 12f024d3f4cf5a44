"""A scripted loopback HTTP server for the transport tests.

It records every request (request line, headers, body) and answers from a script of
``Reply`` values: normal bodies, 5xx pages, stalls, chunked bodies, resets mid-body and
bodies that echo the request form back (``echo=True``, as some proxies and misconfigured
servers do). ``refusing_host()`` gives a base URL nobody listens on.

    with Server(Reply('{"balance": "1.00"}')) as server:
        Client(creds, hosts=[server.url]).call(Balance())
        assert server.requests[0].form["fmt"] == "3"
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import struct
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from smsc_proto import HttpRequest

JSON = "application/json; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
HTML = "text/html"


@dataclass(frozen=True)
class Reply:
    """One scripted answer.

    ``stall``: seconds to wait before answering (cut short when the server stops);
    ``chunk``: send the body chunked, in pieces of this size; ``reset_after``: announce the
    whole length, send this many body bytes, then reset the connection. ``echo``: the body
    is a template in which ``{form}`` becomes the request body as received (URL-encoded)
    and ``{decoded}`` the same form decoded (``name=value`` pairs joined by ``&``).
    """

    body: bytes | str = b""
    status: int = 200
    content_type: str | None = JSON
    headers: tuple[tuple[str, str], ...] = ()
    stall: float = 0.0
    chunk: int | None = None
    reset_after: int | None = None
    echo: bool = False

    @property
    def data(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body

    def data_for(self, seen: Seen) -> bytes:
        """The body answered to ``seen``: ``data``, with the form filled in when echoing."""
        if not self.echo:
            return self.data
        decoded = "&".join(f"{k}={v}" for k, v in seen.form.items()).encode("utf-8")
        return self.data.replace(b"{form}", seen.body).replace(b"{decoded}", decoded)


@dataclass(frozen=True)
class Seen:
    """One request as the server read it."""

    request_line: str
    method: str
    target: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def form(self) -> dict[str, str]:
        """The body as the server reads it by its Content-Type (a form, JSON, multipart)."""
        return HttpRequest.parse_body(self.body, self.header("Content-Type"))

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def outside_body(self) -> str:
        """Everything the server saw except the body: where secrets must not be."""
        return "\n".join([self.request_line, self.target, *(f"{k}: {v}" for k, v in self.headers)])


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HttpServer

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        owner = self.server.owner
        seen = Seen(self.requestline, self.command, self.path, tuple(self.headers.items()), body)
        reply = owner._record(seen)
        try:
            if reply.stall:
                owner.stopping.wait(reply.stall)
            self._answer(reply, reply.data_for(seen))
        finally:
            owner._done()

    def _answer(self, reply: Reply, data: bytes) -> None:
        self.send_response(reply.status)
        if reply.content_type is not None:
            self.send_header("Content-Type", reply.content_type)
        for key, value in reply.headers:
            self.send_header(key, value)
        if reply.chunk:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(data), reply.chunk):
                piece = data[start : start + reply.chunk]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            return
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if reply.reset_after is None:
            self.wfile.write(data)
            return
        self.wfile.write(data[: reply.reset_after])
        self.wfile.flush()
        # SO_LINGER 0: close() sends a RST instead of a clean FIN.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: Server
    tls: ssl.SSLContext | None = None

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, addr = super().get_request()
        if self.tls is not None:
            # The handshake happens in the handler thread, on first read.
            sock = self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that time out or reject our certificate leave broken sockets


class Server:
    """A threaded HTTP server on 127.0.0.1 answering ``replies`` in order, then ``default``.

    ``requests`` lists what it received; ``max_active`` is the most requests it was
    answering at the same time.
    """

    def __init__(self, *replies: Reply, default: Reply | None = None, tls: ssl.SSLContext | None = None):
        self._lock = threading.Lock()
        self._replies = list(replies)
        self.default = default or Reply(b"", status=500, content_type=TEXT)
        self.requests: list[Seen] = []
        self.active = 0
        self.max_active = 0
        self.stopping = threading.Event()
        self._http = _HttpServer(("127.0.0.1", 0), _Handler)
        self._http.owner = self
        self._http.tls = tls
        self._thread = threading.Thread(target=self._http.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self._http.server_address[1]}"

    def push(self, *replies: Reply) -> None:
        with self._lock:
            self._replies.extend(replies)

    def _record(self, seen: Seen) -> Reply:
        with self._lock:
            self.requests.append(seen)
            self.active += 1
            self.max_active = max(self.max_active, self.active)
            return self._replies.pop(0) if self._replies else self.default

    def _done(self) -> None:
        with self._lock:
            self.active -= 1

    def start(self) -> Server:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._http.shutdown()
        self._http.server_close()
        self._thread.join(5)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


@contextlib.contextmanager
def refusing_host() -> Iterator[str]:
    """A base URL on a loopback port that is bound but not listening: connections are refused."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


def self_signed(directory: Path) -> tuple[Path, ssl.SSLContext] | None:
    """A certificate for 127.0.0.1 (its own CA) and a server context, or None without openssl."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    command = [
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        "-keyout", str(key), "-out", str(cert),
    ]  # fmt: skip
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return cert, context


def walk_pager(kind: str, pager: Any, url: str) -> list[Any]:
    """Every item ``pager`` yields with the ``kind`` client ("urllib3" or "aiohttp") at ``url``
    (``iterate`` or ``aiterate``; an API key, no local rate limits)."""
    import asyncio

    from smsc_aiohttp import AsyncClient
    from smsc_urllib3 import Client

    from smsc_proto import Credentials

    creds = Credentials(apikey="k")
    if kind == "urllib3":
        with Client(creds, hosts=[url], rate_limits=False) as client:
            return list(pager.iterate(client.call))

    async def walk() -> list[Any]:
        async with AsyncClient(creds, hosts=[url], rate_limits=False) as client:
            return [item async for item in pager.aiterate(client.call)]

    return asyncio.run(walk())
