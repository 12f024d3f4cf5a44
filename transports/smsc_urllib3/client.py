"""The sync transport: its I/O calls (urllib3, pooled) around ``smsc_proto.CallPolicy``."""

from __future__ import annotations

import contextlib
import functools
import logging
import queue
import ssl
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from types import TracebackType
from typing import Any, TypeVar

import urllib3
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ReadTimeoutError, SSLError
from urllib3.util.ssl_match_hostname import CertificateError

from smsc_proto import Credentials, HttpResponse, Op, TransportError
from smsc_proto.client_options import ClientOptions, failure_detail
from smsc_proto.policy import DEFAULT_HOSTS, Attempt, Call, CallPolicy, Failure

__all__ = ["Client"]

R = TypeVar("R")
T = TypeVar("T")

_log = logging.getLogger("smsc_urllib3")
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


class Client:
    """A thread-safe sync client: pooled, TLS-verified, failing over between hosts.

    Example (against the real service, so not run as a doctest)::

        from smsc_proto import Balance, Credentials

        with Client(Credentials(login="acme", psw="...")) as client:
            client.call(Balance()).balance  # Decimal('250.80')

    Options: the ``PolicyConfig`` options (``max_attempts``, ``backoff``, ``max_backoff``,
    ``connect_timeout``, ``read_timeout``, ``rate_limits``, ``max_in_flight``), plus
    ``ca_certs`` (a CA bundle path instead of the system store), ``user_agent``,
    ``chunk_size`` (bytes per read), ``clock`` and ``sleep``.
    """

    def __init__(
        self, credentials: Credentials, hosts: Sequence[str] = DEFAULT_HOSTS, **options: Any
    ) -> None:
        self._clock: Callable[[], float] = options.pop("clock", time.monotonic)
        self._sleep: Callable[[float], None] = options.pop("sleep", time.sleep)
        self._options = parsed = ClientOptions.parse("Client", hosts, options)
        self._chunk_size = parsed.chunk_size
        self._policy = CallPolicy(credentials, parsed.config)
        # One Timeout per pair of limits (every attempt of a call has the same, so far).
        self._timeout = functools.lru_cache(maxsize=8)(_timeout)
        cap = parsed.config.max_in_flight
        # The pool caps connections per host; the slots cap them across hosts.
        self._slots = _Slots(cap)
        self._start_lock = threading.Lock()  # CallPolicy (its rate limiter) is not thread-safe
        self._pool = urllib3.PoolManager(
            maxsize=cap,
            block=True,
            retries=_NO_RETRIES,
            cert_reqs=ssl.CERT_REQUIRED,
            ssl_context=ssl.create_default_context(cafile=parsed.ca_certs),
        )

    def __repr__(self) -> str:
        return f"Client(hosts={self._policy.config.hosts!r}, credentials={self._policy.credentials!r})"

    def call(self, op: Op[R]) -> R:
        """Run ``op`` and return its typed result; raises ``SmscError`` subclasses for API
        errors, ``DecodeError``, ``TransportError`` or a local ``RateLimitedError``."""
        with self._exchange(op) as (call, response):
            try:
                body = response.read()
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                reason = f"reading the body failed: {failure_detail(exc)}"
            else:
                return call.decode(HttpResponse(response.status, response.headers, body))
        raise TransportError(op.op_id, reason, sent=True)

    def stream(self, op: Op[list[T]]) -> Generator[T, None, None]:
        """Yield the items of ``op``'s list answer as its body arrives (an export streams in
        flat memory). Nothing is sent until the first ``next()``."""
        with self._exchange(op) as (call, response):
            decoder = call.stream_decoder(HttpResponse(response.status, response.headers))
            for chunk in self._chunks(call, response):
                yield from decoder.feed(chunk)
            yield from decoder.close()

    def close(self) -> None:
        """Close the pooled connections."""
        self._pool.clear()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @contextlib.contextmanager
    def _exchange(self, op: Op[R]) -> Iterator[tuple[Call[R], urllib3.BaseHTTPResponse]]:
        """Attempts until the policy accepts a response; yields it with its body unread."""
        with self._start_lock:
            call = self._policy.start(op, self._clock())
        attempt: Attempt = call.first
        while True:
            if attempt.delay:
                self._sleep(attempt.delay)
            with self._slots:
                try:
                    response = self._send(attempt)
                except urllib3.exceptions.HTTPError as exc:
                    failure, label = _classify(exc)
                    reason = f"{attempt.url}: {label}: {failure_detail(exc)}"
                else:
                    _log.debug("POST %s -> %d", attempt.url, response.status)
                    try:
                        retry = call.answered(response.status)
                        if retry is None:
                            yield call, response
                            return
                    finally:
                        # An unread or half-read body makes the connection unusable: close it,
                        # but always hand the slot back to the pool (block=True would hang).
                        if not response.closed:
                            response.close()
                        response.release_conn()
                    attempt = retry
                    continue
            _log.debug("POST %s -> %s", attempt.url, label)
            # Outside the except block: the TransportError chains no urllib3 exception.
            attempt = call.failed(failure, reason)

    def _send(self, attempt: Attempt) -> urllib3.BaseHTTPResponse:
        request = attempt.request
        return self._pool.request(
            request.method,
            attempt.url,
            body=request.body,
            headers=self._options.headers(request),
            timeout=self._timeout(attempt.connect_timeout, attempt.read_timeout),
            preload_content=False,
            redirect=False,
            retries=_NO_RETRIES,
        )

    def _chunks(self, call: Call[Any], response: urllib3.BaseHTTPResponse) -> Iterator[bytes]:
        try:
            yield from response.stream(self._chunk_size)
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            reason = f"reading the body failed: {failure_detail(exc)}"
        else:
            return
        raise TransportError(call.op.op_id, reason, sent=True)


class _Slots:
    """A semaphore of ``size`` slots: a queue of tokens, whose get and put are C calls (a
    ``threading.Semaphore`` costs a Python-level condition on every call)."""

    __slots__ = ("_tokens",)

    def __init__(self, size: int) -> None:
        self._tokens: queue.SimpleQueue[None] = queue.SimpleQueue()
        for _ in range(size):
            self._tokens.put(None)

    def __enter__(self) -> None:
        self._tokens.get()

    def __exit__(self, *exc: object) -> None:
        self._tokens.put(None)


def _timeout(connect: float, read: float) -> urllib3.Timeout:
    return urllib3.Timeout(connect=connect, read=read)


def _classify(exc: urllib3.exceptions.HTTPError) -> tuple[Failure, str]:
    """Whether the request may have left, as far as the exception tells."""
    if isinstance(exc, NewConnectionError):  # refused, unreachable, DNS (NameResolutionError)
        return Failure.NOT_SENT, "cannot connect"
    if isinstance(exc, ConnectTimeoutError):
        return Failure.NOT_SENT, "connect timeout"
    if isinstance(exc, SSLError) and _in_handshake(exc):
        return Failure.NOT_SENT, "TLS handshake failed"
    if isinstance(exc, ReadTimeoutError):
        return Failure.MAYBE_SENT, "read timeout"
    # Reset, disconnect, protocol error, a TLS failure after the handshake.
    return Failure.MAYBE_SENT, "connection failed"


def _in_handshake(exc: SSLError) -> bool:
    # urllib3 raises SSLError for TLS failures at any stage; only certificate and
    # negotiation failures prove that nothing was sent.
    inner = exc.args[0] if exc.args else exc
    if isinstance(inner, (ssl.SSLCertVerificationError, CertificateError)):
        return True
    reason = str(getattr(inner, "reason", None) or inner).upper()
    return any(mark in reason for mark in _HANDSHAKE_REASONS)
