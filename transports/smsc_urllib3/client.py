"""The sync transport: a small loop over ``smsc_proto.CallPolicy`` with pooled urllib3 I/O."""

from __future__ import annotations

import contextlib
import logging
import ssl
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from types import TracebackType
from typing import Any

import urllib3
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ReadTimeoutError, SSLError
from urllib3.util.ssl_match_hostname import CertificateError

from smsc_proto import (
    DEFAULT_HOSTS,
    Attempt,
    CallPolicy,
    Credentials,
    DecodeError,
    Fail,
    Failure,
    HttpResponse,
    Op,
    Proceed,
    TransportError,
    Wait,
)
from smsc_proto.client_options import ClientOptions, failure_detail

__all__ = ["Client"]

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

    Options: the ``PolicyConfig`` fields other than ``hosts`` (``max_attempts``, ``backoff``,
    ``max_backoff``, ``connect_timeout``, ``read_timeout``, ``rate_limits``,
    ``max_in_flight``), plus ``ca_certs`` (a CA bundle path instead of the system store),
    ``user_agent``, ``chunk_size`` (bytes per read when streaming), ``clock`` and ``sleep``.
    """

    def __init__(
        self, credentials: Credentials, hosts: Sequence[str] = DEFAULT_HOSTS, **options: Any
    ) -> None:
        self._clock: Callable[[], float] = options.pop("clock", time.monotonic)
        self._sleep: Callable[[float], None] = options.pop("sleep", time.sleep)
        parsed = ClientOptions.parse("Client", hosts, options)
        self._user_agent = parsed.user_agent
        self._chunk_size = parsed.chunk_size
        self._policy = CallPolicy(credentials, parsed.config)
        cap = self._policy.config.max_in_flight
        # The pool caps connections per host; the semaphore caps them across hosts.
        self._slots = threading.BoundedSemaphore(cap)
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

    def call(self, op: Op) -> Any:
        """Run ``op`` and return its typed result; raises ``SmscError`` subclasses for API
        errors, ``DecodeError``, ``TransportError`` or a local ``RateLimitedError``."""
        with self._accepted(op) as (url, response):
            body = b"".join(_chunks(op, url, response, self._chunk_size))
            return op.decode(HttpResponse(response.status, dict(response.headers), body))

    def stream(self, op: Op) -> Generator[Any, None, None]:
        """Yield the records of ``op``'s answer as its body arrives (a list result yields
        its items). Nothing is sent until the first ``next()``."""
        with self._accepted(op) as (url, response):
            decoder = op.stream_decoder(HttpResponse(response.status, dict(response.headers)))
            for chunk in _chunks(op, url, response, self._chunk_size):
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
    def _accepted(self, op: Op) -> Iterator[tuple[str, urllib3.BaseHTTPResponse]]:
        """Run the policy until a response is accepted; yield it with its body unread."""
        with self._start_lock:
            call = self._policy.start(op, self._clock())
        step: Attempt | Wait = call.first()
        while True:
            if isinstance(step, Wait):
                self._sleep(step.seconds)
                step = step.then
            with self._slots:
                try:
                    response = self._send(step)
                except urllib3.exceptions.HTTPError as exc:
                    failure, label = _classify(exc)
                    _log.debug("POST %s -> %s", step.url, label)
                    outcome = call.on_failure(failure, f"{step.url}: {label}: {failure_detail(exc)}")
                    if isinstance(outcome, Fail):
                        raise outcome.error from exc
                    step = outcome
                    continue
                _log.debug("POST %s -> %d", step.url, response.status)
                try:
                    decision = call.on_status(response.status)
                    if isinstance(decision, Proceed):
                        try:
                            yield step.url, response
                        except DecodeError as exc:
                            exc.redact(self._policy.credentials.secrets())
                            raise
                        return
                    step = decision
                finally:
                    # An unread or half-read body makes the connection unusable: close it,
                    # but always hand the slot back to the pool (block=True would hang).
                    if not response.closed:
                        response.close()
                    response.release_conn()

    def _send(self, step: Attempt) -> urllib3.BaseHTTPResponse:
        headers = dict(step.request.headers)
        headers["User-Agent"] = self._user_agent
        return self._pool.request(
            step.request.method,
            step.url,
            body=step.request.body,
            headers=headers,
            timeout=urllib3.Timeout(connect=step.connect_timeout, read=step.read_timeout),
            preload_content=False,
            redirect=False,
            retries=_NO_RETRIES,
        )


def _chunks(op: Op, url: str, response: urllib3.BaseHTTPResponse, size: int) -> Iterator[bytes]:
    try:
        yield from response.stream(size)
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise TransportError(
            op.op_id, f"{url}: reading the body failed: {failure_detail(exc)}", sent=True
        ) from exc


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
