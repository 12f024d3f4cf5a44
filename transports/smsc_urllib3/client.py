"""The sync transport: its I/O calls (urllib3, pooled) around ``smsc_proto.CallPolicy``.

Every socket it opens is a ``_GuardedSocket``: each read waits at most until the call's
deadline (a server dripping a byte per ``read_timeout`` cannot hold a call), and it records
whether a byte of the request was written (an exchange that fails before that provably sent
nothing, a stalled TLS handshake included).
"""

from __future__ import annotations

import functools
import io
import os
import queue
import socket
import ssl
import threading
import time
from collections.abc import Callable, Generator, Sequence
from types import TracebackType
from typing import Any, TypeVar

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ReadTimeoutError, SSLError
from urllib3.util.ssl_match_hostname import CertificateError

from smsc_proto import Credentials, HttpResponse, Op
from smsc_proto.client_options import ClientOptions, Proxy, failure_detail
from smsc_proto.limits import LOCAL, Limiter
from smsc_proto.policy import DEFAULT_HOSTS, Attempt, Call, CallPolicy, Failure
from smsc_proto.streaming import StreamDecoder

__all__ = ["Client"]

R = TypeVar("R")
T = TypeVar("T")

# Retries and redirects are the policy's business (a redirect would carry the credentials
# elsewhere); a Retry object, unlike False, is not converted and logged on every request.
_NO_RETRIES = urllib3.Retry(total=False, redirect=False)
# OpenSSL reasons that can only come from the handshake, i.e. before any request byte.
_HANDSHAKE_REASONS = (
    "CERTIFICATE",
    "WRONG_VERSION_NUMBER",
    "UNSUPPORTED_PROTOCOL",
    "PROTOCOL_VERSION",
    "HANDSHAKE_FAILURE",
    "UNKNOWN_CA",
    "NO_SHARED_CIPHER",
    "NO_PROTOCOLS_AVAILABLE",
)
_IO_ERRORS = (urllib3.exceptions.HTTPError, OSError)
# What a waiter for a free slot of the login sleeps, first and at most (seconds).
_POLL_FIRST, _POLL_MOST = 0.001, 0.05


class _Exchange(threading.local):
    """The exchange this thread is doing: the deadline its reads keep (on the client's
    clock), whether it wrote."""

    deadline: float | None = None
    clock: Callable[[], float] = time.monotonic
    wrote = False


_exchange = _Exchange()


class _GuardedSocket:
    """A connected socket whose reads end by the exchange's deadline and whose writes are
    recorded. Everything else is the socket's own."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._timeout = sock.gettimeout()
        self._shortened = False  # the socket waits less than _timeout: the deadline is near

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)

    def settimeout(self, timeout: float | None) -> None:
        self._timeout = timeout
        self._shortened = False
        self._sock.settimeout(timeout)

    def gettimeout(self) -> float | None:
        return self._timeout

    def sendall(self, data: Any, *args: Any) -> None:
        _exchange.wrote = True
        self._sock.sendall(data, *args)

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        deadline = _exchange.deadline
        if deadline is not None:
            left = deadline - _exchange.clock()
            if left <= 0:
                raise TimeoutError("the call's total_timeout passed")
            # settimeout is a system call: made only when the deadline, not the read
            # timeout, is what the read must keep (or no longer is).
            if self._timeout is None or left < self._timeout:
                self._sock.settimeout(left)
                self._shortened = True
            elif self._shortened:
                self._sock.settimeout(self._timeout)
                self._shortened = False
        return self._sock.recv_into(buffer, nbytes, flags)

    def makefile(self, mode: str = "rb", buffering: int | None = None, **_: Any) -> io.BufferedReader:
        # As socket.makefile does, but the reads come back through recv_into above.
        self._sock._io_refs += 1  # type: ignore[attr-defined]
        return io.BufferedReader(socket.SocketIO(self, "rb"), buffering or io.DEFAULT_BUFFER_SIZE)  # type: ignore[arg-type]


class _Connection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        self.sock = _GuardedSocket(self.sock)


class _TlsConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()  # the handshake runs on the bare socket: nothing is written
        self.sock = _GuardedSocket(self.sock)


class _Pool(HTTPConnectionPool):
    ConnectionCls = _Connection


class _TlsPool(HTTPSConnectionPool):
    ConnectionCls = _TlsConnection


def _manager(proxy: Proxy | None, cap: int, ca_certs: str | None) -> urllib3.PoolManager:
    """A pool manager with this client's connection classes, through ``proxy`` if any (its
    user and password, if any, sent as Proxy-Authorization)."""
    common: dict[str, Any] = {
        "maxsize": cap,
        "retries": _NO_RETRIES,
        "cert_reqs": ssl.CERT_REQUIRED,
        "ssl_context": ssl.create_default_context(cafile=ca_certs),
    }
    manager: urllib3.PoolManager
    if proxy is None:
        manager = urllib3.PoolManager(**common)
    else:
        manager = urllib3.ProxyManager(proxy.url, proxy_headers=proxy.headers, **common)
    manager.pool_classes_by_scheme = {"http": _Pool, "https": _TlsPool}
    return manager


class Client:
    """A thread-safe sync client: pooled, TLS-verified, failing over between hosts.

    Example (against the real service, so not run as a doctest)::

        from smsc_proto import Balance, Credentials

        with Client(Credentials(login="acme", psw="...")) as client:
            client.call(Balance()).balance  # Decimal('250.80')

    Options: the ``PolicyConfig`` options (``max_attempts``, ``backoff``, ``max_backoff``,
    ``connect_timeout``, ``read_timeout``, ``total_timeout``, ``max_body_size``,
    ``rate_limits``, ``max_in_flight``), plus ``ca_certs`` (a CA bundle path instead of the
    system store), ``user_agent``, ``chunk_size`` (bytes per read when streaming),
    ``limiter`` (where the limits of the login are kept: by default this process, every
    client of the login in it sharing them; ``smsc_redis.RedisLimiter`` shares them with
    other processes), ``clock`` and ``sleep``.

    ``proxy``: a proxy URL (``http://user:password@host:3128``; ``""`` for none); by default
    ``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY`` decide (``trust_env=False`` ignores them).
    ``pool_manager``: your own ``urllib3.PoolManager`` (or ``ProxyManager``) for every
    request, used as it is configured (no proxy of ours on top, left unchanged) and never
    closed by this client. Through it, reads are bounded by ``read_timeout`` rather than
    the call's deadline, and a failure after the connection was made counts as possibly
    sent (a send is then not retried): only this client's own connections can tell.
    """

    def __init__(
        self, credentials: Credentials, hosts: Sequence[str] = DEFAULT_HOSTS, **options: Any
    ) -> None:
        self._clock: Callable[[], float] = options.pop("clock", time.monotonic)
        self._sleep: Callable[[float], None] = options.pop("sleep", time.sleep)
        limiter: Limiter = options.pop("limiter", LOCAL)
        given: urllib3.PoolManager | None = options.pop("pool_manager", None)
        if given is not None and "proxy" in options:
            raise ValueError("pool_manager and proxy: set the proxy in your pool manager (a ProxyManager)")
        self._options = parsed = ClientOptions.parse("Client", hosts, options)
        self._chunk_size = parsed.chunk_size
        clock = None if self._clock is time.monotonic else self._clock
        self._policy = CallPolicy(credentials, parsed.config, limiter.login(credentials, clock))
        # One Timeout per pair of limits (every attempt of a call has the same, so far).
        self._timeout = functools.lru_cache(maxsize=8)(_timeout)
        cap = parsed.config.max_in_flight
        # This client's own cap; the login's is the policy's limits.
        self._slots: queue.SimpleQueue[None] = queue.SimpleQueue()
        for _ in range(cap):
            self._slots.put(None)
        # A pool manager per proxy (None: direct), and which one each host goes through.
        self._owned: dict[Proxy | None, urllib3.PoolManager] = {}
        self._managers: dict[str, urllib3.PoolManager] = {}
        if given is not None:
            self._managers = dict.fromkeys(parsed.config.hosts, given)
        else:
            for host, proxy in parsed.proxies(os.environ).items():
                if proxy not in self._owned:
                    self._owned[proxy] = _manager(proxy, cap, parsed.ca_certs)
                self._managers[host] = self._owned[proxy]
        # Our connections record whether a request was written; a caller's pool manager is
        # left as it is configured, so a failure through it may have sent the request unless
        # no connection was made.
        self._tracked = given is None

    def __repr__(self) -> str:
        return f"Client(hosts={self._policy.config.hosts!r}, credentials={self._policy.credentials!r})"

    def call(self, op: Op[R]) -> R:
        """Run ``op`` and return its typed result; raises ``SmscError`` subclasses for API
        errors, ``DecodeError``, ``TransportError`` (``DeadlineExceeded``,
        ``ResponseTooLarge``) or a local ``RateLimitedError``."""
        call = self._policy.start(op, self._clock())
        attempt = call.first
        while True:
            self._take_slot(call, attempt)
            stage = "sending"
            try:
                response = self._send(call, attempt)
                try:
                    retry = call.answered(response.status, self._clock())
                    if retry is None:
                        stage = "reading the body"
                        head = HttpResponse(response.status, response.headers)
                        body = self._read(call, response)
                finally:
                    _release(response)
            except _IO_ERRORS as exc:
                failure, reason = _classify(exc, attempt.url, stage, self._tracked)
            else:
                if retry is None:
                    break
                attempt = retry
                continue
            finally:
                self._give_slot()
            # Outside the except block: the TransportError chains no urllib3 exception.
            attempt = call.failed(failure, reason, self._clock())
        return call.decode(HttpResponse(head.status, head.headers, body), self._clock())

    def stream(self, op: Op[list[T]]) -> Generator[T, None, None]:
        """Yield the items of ``op``'s list answer as its body arrives (an export streams in
        flat memory). ``total_timeout`` bounds the wait for the answer, then the wait for
        each next item. Nothing is sent until the first ``next()``."""
        call = self._policy.start(op, self._clock())
        attempt = call.first
        while True:
            self._take_slot(call, attempt)
            try:
                response = self._send(call, attempt)
            except _IO_ERRORS as exc:
                self._give_slot()
                failure, reason = _classify(exc, attempt.url, "sending", self._tracked)
                attempt = call.failed(failure, reason, self._clock())
                continue
            except BaseException:  # Ctrl-C, a bug: the slots go back all the same
                self._give_slot()
                raise
            try:
                retry = call.answered(response.status, self._clock())
                if retry is None:
                    decoder = call.stream_decoder(HttpResponse(response.status, response.headers))
                    yield from self._records(call, response, decoder)
                    return
            finally:
                _release(response)
                self._give_slot()
            attempt = retry

    def close(self) -> None:
        """Close the pooled connections this client opened (not a caller's pool manager)."""
        for manager in self._owned.values():
            manager.clear()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- the I/O ------------------------------------------------------------------------------

    def _take_slot(self, call: Call[Any], attempt: Attempt) -> None:
        """Wait ``attempt.delay``, then for a slot of this client and one of the login, all
        within the deadline (``DeadlineExceeded``: nothing was sent)."""
        if attempt.delay:
            self._sleep(attempt.delay)
        try:
            self._slots.get(timeout=call.remaining(self._clock()))
        except queue.Empty:
            raise call.expired() from None
        pause = _POLL_FIRST
        limits = self._policy.limits
        try:
            while not limits.try_slot():
                self._sleep(min(pause, call.remaining(self._clock())))
                pause = min(pause * 2, _POLL_MOST)
        except BaseException:
            # No slot of the login (DeadlineExceeded), or its limits could not be asked
            # (LimiterUnavailable: a shared store is down): this client's slot goes back.
            self._slots.put(None)
            raise

    def _give_slot(self) -> None:
        self._policy.limits.release_slot()
        self._slots.put(None)

    def _send(self, call: Call[Any], attempt: Attempt) -> urllib3.BaseHTTPResponse:
        request = attempt.request
        _exchange.deadline, _exchange.clock, _exchange.wrote = call.deadline, self._clock, False
        manager = self._managers[attempt.host]
        response = manager.request(
            request.method,
            attempt.url,
            body=request.body,
            headers=self._options.headers(request),
            timeout=self._timeout(attempt.connect_timeout, attempt.read_timeout),
            preload_content=False,
            redirect=False,
            retries=_NO_RETRIES,
        )
        return response

    def _read(self, call: Call[Any], response: urllib3.BaseHTTPResponse) -> bytes:
        """The whole body, at most ``call.max_body`` bytes (``ResponseTooLarge`` beyond)."""
        announced = _length(response)
        call.check_announced(announced)
        _exchange.deadline, _exchange.clock = call.deadline, self._clock
        if announced is not None and not response.chunked:
            return response.read()  # http.client reads no more than announced: the faster read
        body = response.read(call.max_body + 1)
        if len(body) > call.max_body:
            raise call.too_large(announced)
        return body

    def _records(
        self, call: Call[Any], response: urllib3.BaseHTTPResponse, decoder: StreamDecoder[Any]
    ) -> Generator[Any, None, None]:
        while True:
            _exchange.deadline, _exchange.clock = call.deadline, self._clock
            reason: str | None = None
            try:
                chunk = response.read1(self._chunk_size)
            except _IO_ERRORS as exc:
                reason = failure_detail(exc)
            if reason is not None:  # outside the except block: no urllib3 exception chained
                raise call.cut_short(reason, self._clock())
            if not chunk:
                break
            records = decoder.feed(chunk)
            if records:
                yield from records
                call.extend(self._clock())
        yield from decoder.close()


def _length(response: urllib3.BaseHTTPResponse) -> int | None:
    value = response.headers.get("Content-Length")
    if value is None or not value.strip().isdigit():
        return None
    return int(value)


def _release(response: urllib3.BaseHTTPResponse) -> None:
    # An unread or half-read body makes the connection unusable: close it, but always hand
    # the connection back to the pool.
    if not response.closed:
        response.close()
    response.release_conn()


def _timeout(connect: float, read: float) -> urllib3.Timeout:
    return urllib3.Timeout(connect=connect, read=read)


def _classify(exc: BaseException, url: str, stage: str, tracked: bool) -> tuple[Failure, str]:
    """Whether the request may have left, and a short reason. Nothing left when no byte was
    written, whatever the exception (a TLS handshake that times out, a refused connection);
    not ``tracked`` (a caller's pool manager, whose writes are not seen): only when no
    connection was made."""
    connected = not isinstance(exc, (NewConnectionError, ConnectTimeoutError))
    wrote = _exchange.wrote if tracked else connected
    if stage != "sending":
        label = f"{stage} failed"  # the server answered: the request did arrive
    elif not connected:  # refused, unreachable, DNS (NameResolutionError); connect timeout
        label = "cannot connect" if isinstance(exc, NewConnectionError) else "connect timeout"
    elif isinstance(exc, SSLError) and (_in_handshake(exc) or not wrote):
        label = "TLS handshake failed"
    elif isinstance(exc, (ReadTimeoutError, TimeoutError)):
        label = "read timeout" if wrote else "timeout"
    else:  # reset, disconnect, protocol error, a TLS failure after the handshake
        label = "connection failed"
    failure = Failure.MAYBE_SENT if wrote else Failure.NOT_SENT
    return failure, f"{url}: {label}: {failure_detail(exc)}"


def _in_handshake(exc: SSLError) -> bool:
    # urllib3 raises SSLError for TLS failures at any stage; only certificate and
    # negotiation failures prove that nothing was sent.
    inner = exc.args[0] if exc.args else exc
    if isinstance(inner, (ssl.SSLCertVerificationError, CertificateError)):
        return True
    reason = str(getattr(inner, "reason", None) or inner).upper()
    return any(mark in reason for mark in _HANDSHAKE_REASONS)
