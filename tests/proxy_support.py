"""A forwarding HTTP proxy on 127.0.0.1 for the proxy tests: it takes requests in absolute
form (``POST http://host:port/path HTTP/1.1``), as clients send them to a proxy for an
``http://`` target, forwards them to the target (or, with ``route_to``, to that base URL
whatever the host named: a name that does not resolve can be proxied) and relays the
answer, recording each URL and its ``Proxy-Authorization`` header."""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _ProxyServer

    def do_POST(self) -> None:
        target = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        with self.server.lock:
            self.server.seen.append((self.path, self.headers.get("Proxy-Authorization")))
        if target.scheme != "http" or not target.hostname:
            self.send_error(400, "absolute http:// URLs only")
            return
        to = urlsplit(self.server.route_to) if self.server.route_to else target
        upstream = http.client.HTTPConnection(to.hostname or "", to.port or 80, timeout=30)
        dropped = ("proxy-authorization", "proxy-connection")
        headers = {k: v for k, v in self.headers.items() if k.lower() not in dropped}
        upstream.request("POST", target.path or "/", body=body, headers=headers)
        answer = upstream.getresponse()
        data = answer.read()
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in ("transfer-encoding", "content-length", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        upstream.close()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, route_to: str | None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.route_to = route_to
        self.lock = threading.Lock()
        self.seen: list[tuple[str, str | None]] = []


class Proxy:
    """``with Proxy() as proxy: ... proxy.url ... proxy.seen``"""

    def __init__(self, route_to: str | None = None) -> None:
        self._server = _ProxyServer(route_to)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def seen(self) -> list[tuple[str, str | None]]:
        """(absolute URL, Proxy-Authorization) of each request proxied."""
        with self._server.lock:
            return list(self._server.seen)

    def __enter__(self) -> Proxy:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
