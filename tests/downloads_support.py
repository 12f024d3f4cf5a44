"""A loopback HTTP server for the jobs/downloads transport tests and the memory benchmark.

``LoopbackServer(respond)`` serves on 127.0.0.1 (an ephemeral port) in a thread; for each
POST it calls ``respond(path, form)`` and sends the ``Reply``: with a Content-Length, chunked
(the body may be an iterator of chunks, so a huge file is made on the fly), or cut short
(a Content-Length larger than what is sent, then the connection is closed). The ``server``
fixture (conftest.py) and the ``stream_*``/``call_*`` helpers drive it with both clients.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qsl

import pytest
from smsc_aiohttp import AsyncClient
from smsc_urllib3 import Client

from smsc_proto import Credentials, Op

Mode = Literal["length", "chunked", "cut"]


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | Iterable[bytes] = b""
    mode: Mode = "length"


Responder = Callable[[str, dict[str, str]], Reply]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("ascii", "replace")
        form = dict(parse_qsl(raw, keep_blank_values=True))
        self.server.requests.append((self.path, form))
        reply = self.server.respond(self.path, form)
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.mode == "chunked":
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for chunk in _chunks(reply.body):
                if chunk:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
            return
        body = b"".join(_chunks(reply.body))
        if reply.mode == "cut":
            # Promise more than is sent, then hang up: the client sees the body end early.
            self.send_header("Content-Length", str(len(body) + 1000))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests and benchmarks print their own output."""


def _chunks(body: bytes | Iterable[bytes]) -> Iterator[bytes]:
    if isinstance(body, bytes):
        yield body
    else:
        yield from body


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    respond: Responder
    requests: list[tuple[str, dict[str, str]]]


class LoopbackServer:
    """``with LoopbackServer(respond) as server: Client(creds, hosts=[server.url])``.

    ``respond`` may be replaced between requests; ``requests`` records (path, form).
    """

    def __init__(self, respond: Responder) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.respond = respond
        self._server.requests = []
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def requests(self) -> list[tuple[str, dict[str, str]]]:
        return self._server.requests

    @property
    def respond(self) -> Responder:
        return self._server.respond

    @respond.setter
    def respond(self, value: Responder) -> None:
        self._server.respond = value

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


# -- both clients against a LoopbackServer ----------------------------------------------------

CREDENTIALS = Credentials(login="loopback", psw="not-a-secret")
OPTIONS: dict[str, Any] = {"rate_limits": False, "max_attempts": 1, "read_timeout": 20.0}


def stream_sync(url: str, op: Op[Any], sink: Callable[[Any], None] | None = None) -> list[Any]:
    """``client.stream(op)`` with the sync client: every item, or each handed to ``sink``
    (nothing kept, for memory tests)."""
    with Client(CREDENTIALS, hosts=[url], **OPTIONS) as client:
        if sink is None:
            return list(client.stream(op))
        for item in client.stream(op):
            sink(item)
        return []


def stream_async(url: str, op: Op[Any], sink: Callable[[Any], None] | None = None) -> list[Any]:
    """``stream_sync`` with the async client."""

    async def run() -> list[Any]:
        async with AsyncClient(CREDENTIALS, hosts=[url], **OPTIONS) as client:
            if sink is None:
                return [item async for item in client.stream(op)]
            async for item in client.stream(op):
                sink(item)
            return []

    return asyncio.run(run())


def call_sync(url: str, op: Op[Any]) -> Any:
    with Client(CREDENTIALS, hosts=[url], **OPTIONS) as client:
        return client.call(op)


def call_async(url: str, op: Op[Any]) -> Any:
    async def run() -> Any:
        async with AsyncClient(CREDENTIALS, hosts=[url], **OPTIONS) as client:
            return await client.call(op)

    return asyncio.run(run())


STREAMERS = [pytest.param(stream_sync, id="urllib3"), pytest.param(stream_async, id="aiohttp")]
CALLERS = [pytest.param(call_sync, id="urllib3"), pytest.param(call_async, id="aiohttp")]
