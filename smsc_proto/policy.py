"""The call policy, sans I/O: which host to try, whether to retry, how long to wait.

A transport's loop is its I/O calls around three questions (h11 style)::

    call = policy.start(op, now)            # may refuse locally: RateLimitedError
    # (limits that are awaited: call = policy.prepare(op, now), then
    #  call.admit(await limits.acquire(*call.window, now), refund) when call.window is set)
    attempt = call.first
    while True:
        sleep(attempt.delay)                # within the deadline; take a slot of the login
        try:
            response = <send attempt.request to attempt.url, reads bounded by call.deadline>
            retry = call.answered(response.status, now)
            if retry is None:
                body = <call.check_announced(length); read at most call.max_body, else call.too_large(...)>
                return call.decode(<the whole response>)   # or call.stream_decoder(head)
        except <I/O error> as exc:
            retry = call.failed(<classify exc>, reason, now)  # raises TransportError when it gives up
        attempt = retry

Every call has a deadline (``total_timeout`` after its start): attempts, waits and reads
end by it, and past it ``failed``, ``answered`` and ``remaining`` raise
``DeadlineExceeded``.

Rules: an op that sends or creates (``idempotent = False``) is retried only when the
request provably never left (connection refused, DNS, TLS handshake, connect timeout),
never after a read timeout or a 5xx. API errors (4 IP blocked, 9 rate limit) are in the
body and surface as errors; nothing here repeats them. Errors raised by ``decode`` and by
the stream decoder never carry a piece of the credentials' secrets.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from functools import partial
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

from smsc_proto.credentials import Credentials
from smsc_proto.errors import (
    DeadlineExceeded,
    RateLimitedError,
    ResponseTooLarge,
    SmscProtoError,
    TransportError,
    redacted,
)
from smsc_proto.http import HttpRequest, HttpResponse
from smsc_proto.limits import MAX_IN_FLIGHT, LoginLimits, login_limits
from smsc_proto.op import Op
from smsc_proto.ratelimit import RateLimit, RateLimiter
from smsc_proto.streaming import MAX_BUFFERED_BYTES, StreamDecoder

__all__ = [
    "DEFAULT_HOSTS",
    "MAX_IN_FLIGHT",
    "Attempt",
    "Call",
    "CallPolicy",
    "Failure",
    "PolicyConfig",
]

R = TypeVar("R")

# The main host first, then its documented backup.
DEFAULT_HOSTS = ("https://smsc.ru", "https://www2.smsc.ru")
_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# Calls of every transport: INFO a retry, a failover, a local rate-limit refusal, a slow
# call; DEBUG each request and answer line. Op ids, URLs, statuses: never a form value.
_log = logging.getLogger("smsc.call")


def _check_host(host: str) -> str:
    parts = urlsplit(host)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"host {host!r}: expected a base URL such as 'https://smsc.ru'")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError(f"host {host!r}: must not carry credentials, a query or a fragment")
    return host.rstrip("/")


# The longest timeout accepted (seconds): a day.
MAX_TIMEOUT = 86_400.0


class PolicyConfig:
    """``hosts``: base URLs, the main one first, then backups. ``max_attempts``: tries per
    call across hosts. ``backoff``: first wait before a retry, doubled each time up to
    ``max_backoff``. ``rate_limits``: refuse locally what the API would refuse with error 9.
    ``total_timeout``: the most one call may take, every attempt, wait and read included
    (for ``stream``: until the answer's headers, then between two records).
    ``max_body_size``: the largest answer ``call`` reads (``stream`` reads any size, each
    record bounded). ``max_in_flight``: this client's own cap; every client of a login
    shares the API's 14 in this process. ``slow_call``: a call that takes longer (seconds)
    is logged at INFO on ``smsc.call``."""

    __slots__ = (
        "backoff",
        "connect_timeout",
        "hosts",
        "max_attempts",
        "max_backoff",
        "max_body_size",
        "max_in_flight",
        "rate_limits",
        "read_timeout",
        "slow_call",
        "total_timeout",
    )
    OPTIONS = (
        "max_attempts",
        "backoff",
        "max_backoff",
        "connect_timeout",
        "read_timeout",
        "total_timeout",
        "max_body_size",
        "rate_limits",
        "max_in_flight",
        "slow_call",
    )

    def __init__(
        self,
        hosts: tuple[str, ...] = DEFAULT_HOSTS,
        *,
        max_attempts: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        total_timeout: float = 120.0,
        max_body_size: int = MAX_BUFFERED_BYTES,
        rate_limits: bool = True,
        max_in_flight: int = MAX_IN_FLIGHT,
        slow_call: float = 10.0,
    ) -> None:
        if isinstance(hosts, str):
            raise ValueError("hosts: give a sequence of base URLs, not one string")
        self.hosts = tuple(_check_host(h) for h in hosts)
        if not self.hosts:
            raise ValueError("hosts: at least one base URL is needed")
        if max_attempts < 1:
            raise ValueError(f"max_attempts={max_attempts}: must be at least 1")
        if backoff < 0 or max_backoff < 0:
            raise ValueError("backoff and max_backoff must not be negative")
        for name, value in (
            ("connect_timeout", connect_timeout),
            ("read_timeout", read_timeout),
            ("total_timeout", total_timeout),
        ):
            # NaN fails this too; past a day, socket and queue timeouts overflow time_t.
            if not 0 < value <= MAX_TIMEOUT:
                raise ValueError(f"{name}={value!r}: timeouts must be positive, at most {MAX_TIMEOUT:g} s")
        if max_body_size < 1:
            raise ValueError(f"max_body_size={max_body_size}: must be at least 1")
        if not 1 <= max_in_flight <= MAX_IN_FLIGHT:
            raise ValueError(f"max_in_flight={max_in_flight}: must be 1..{MAX_IN_FLIGHT} (the API allows 14)")
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.total_timeout = total_timeout
        self.max_body_size = max_body_size
        self.rate_limits = rate_limits
        self.max_in_flight = max_in_flight
        if not 0 <= slow_call <= MAX_TIMEOUT:  # NaN fails too
            raise ValueError(f"slow_call={slow_call!r}: must be 0..{MAX_TIMEOUT:g} s")
        self.slow_call = slow_call

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in ("hosts", *self.OPTIONS))
        return f"PolicyConfig({shown})"


class Failure(enum.Enum):
    """How an exchange failed, as far as the transport can tell."""

    NOT_SENT = "not sent"  # connection refused, DNS, TLS handshake, connect timeout
    MAYBE_SENT = "maybe sent"  # read timeout, reset or truncation after the request went out


class Attempt:
    """Wait ``delay`` seconds, then send ``request`` to ``url`` (``host`` + path)."""

    __slots__ = ("connect_timeout", "delay", "host", "number", "read_timeout", "request", "url")

    def __init__(
        self,
        host: str,
        request: HttpRequest,
        *,
        number: int,
        delay: float,
        connect_timeout: float,
        read_timeout: float,
    ) -> None:
        self.host = host
        self.url = host + request.path
        self.request = request
        self.number = number
        self.delay = delay
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout

    def __repr__(self) -> str:
        return f"Attempt(url={self.url!r}, number={self.number}, delay={self.delay!r})"


class Call(Generic[R]):
    """One call of ``op`` started at ``now``: which attempt, which host next, the deadline,
    and the decoding of the answer."""

    def __init__(
        self,
        op: Op[R],
        request: HttpRequest,
        config: PolicyConfig,
        *,
        now: float,
        secrets: tuple[str, ...],
    ) -> None:
        self.op = op
        self.request = request
        self.config = config
        self.attempts = 0
        self.reasons: list[str] = []
        # The request may have reached a server / a server did answer.
        self.reached_server = False
        self.answered_once = False
        self.deadline = now + config.total_timeout
        self.started = now
        self.url = ""  # of the latest attempt
        self._secrets = secrets
        # The rate-limit window the call counts in (key, limit), if any, and what hands its
        # count back should the request never leave.
        self.window: tuple[str, RateLimit] | None = None
        self._refund: Callable[[], None] | None = None
        self.first = self._attempt(0.0, now)

    def admit(self, wait: float, refund: Callable[[], None]) -> None:
        """The call's window answered ``wait`` (0: counted; ``refund`` hands the count back
        should the request never leave); else refuse: ``RateLimitedError``, code 9, with
        ``retry_after``."""
        if wait <= 0 or self.window is None:
            self._refund = refund
            return
        limit = self.window[1]
        op_id = self.op.op_id
        _log.info("%s: refused locally by its rate limit; retry in %.1f s", op_id, wait)
        kind = "identical " if limit.identical else ""
        raise RateLimitedError(
            9,
            f"refused locally: more than {limit.count} {kind}requests per {limit.per:g} s; "
            f"retry in {wait:.1f} s",
            op_id,
            retry_after=wait,
        )

    @property
    def max_body(self) -> int:
        """The most bytes ``call`` reads of an answer."""
        return self.config.max_body_size

    def remaining(self, now: float) -> float:
        """Seconds left before the deadline; past it, raises ``DeadlineExceeded``."""
        left = self.deadline - now
        if left <= 0:
            raise self.expired()
        return left

    def extend(self, now: float) -> None:
        """A stream yielded a record: the next one has a whole ``total_timeout`` again."""
        self.deadline = now + self.config.total_timeout

    def check_announced(self, size: int | None) -> None:
        """Refuse, before reading it, an answer whose Content-Length is over the cap."""
        if size is not None and size > self.max_body:
            raise self.too_large(size)

    def too_large(self, size: int | None) -> ResponseTooLarge:
        """The error for an answer over ``max_body_size`` (``size``: its Content-Length)."""
        told = "" if size is None else f" ({size} bytes announced)"
        return ResponseTooLarge(
            self.op.op_id, f"the answer is larger than max_body_size={self.max_body} bytes{told}", sent=True
        )

    def cut_short(self, reason: str, now: float) -> TransportError:
        """The error for a streamed body whose reading failed after it was accepted (items
        may have been given out: no attempt takes the stream up again)."""
        self.remaining(now)  # past the deadline, that is the error
        return TransportError(self.op.op_id, f"reading the body failed: {reason}", sent=True)

    def expired(self) -> DeadlineExceeded:
        """The error for a call whose deadline passed (``sent`` as far as is known)."""
        if not self.reached_server and self._refund is not None:
            self._refund()
            self._refund = None
        sent = True if self.answered_once else (None if self.reached_server else False)
        tried = f"; {'; '.join(self.reasons)}" if self.reasons else ""
        reason = (
            f"total_timeout={self.config.total_timeout:g} s passed after {self.attempts} attempt(s){tried}"
        )
        return DeadlineExceeded(self.op.op_id, reason, sent=sent)

    def _attempt(self, delay: float, now: float) -> Attempt:
        left = self.remaining(now)
        if delay >= left:
            raise self.expired()  # the wait alone would outlast the call
        config = self.config
        host = config.hosts[self.attempts % len(config.hosts)]
        self.attempts += 1
        budget = left - delay
        url, self.url = self.url, host + self.request.path
        if self.attempts > 1:
            moved = f", failing over from {url}" if url != self.url else ""
            _log.info(
                "%s: retry %d of %d, POST %s in %.2f s%s, after: %s",
                self.op.op_id,
                self.attempts,
                config.max_attempts,
                self.url,
                delay,
                moved,
                redacted(self.reasons[-1], self._secrets),
            )
        else:
            _log.debug("%s: POST %s", self.op.op_id, self.url)
        return Attempt(
            host,
            self.request,
            number=self.attempts,
            delay=delay,
            connect_timeout=min(config.connect_timeout, budget),
            read_timeout=min(config.read_timeout, budget),
        )

    def _retry(self, now: float) -> Attempt:
        delay = min(self.config.backoff * 2 ** (self.attempts - 1), self.config.max_backoff)
        return self._attempt(delay, now)

    def _can_retry(self) -> bool:
        return self.attempts < self.config.max_attempts

    def _may_repeat(self) -> bool:
        """Whether a request that may have reached the server can be sent again: it must be
        idempotent, and not limited to one identical request a minute (jobs, documents,
        mass status), where the repeat would only earn error 9 and hide the outcome."""
        limit = self.op.rate_limit
        return self.op.idempotent and (limit is None or limit.count > 1)

    def answered(self, status: int, now: float) -> Attempt | None:
        """The server answered ``status``: None to read and decode this response, or
        (repeatable ops, transient statuses, attempts and time left) the next attempt, on
        the next host."""
        self.reached_server = self.answered_once = True
        _log.debug("%s: POST %s -> HTTP %d", self.op.op_id, self.url, status)
        if status in _RETRY_STATUSES and self._may_repeat() and self._can_retry():
            self.reasons.append(f"HTTP {status}")
            return self._retry(now)
        return None

    def failed(self, failure: Failure, reason: str, now: float) -> Attempt:
        """The exchange failed (before the status, or while reading the body): the next
        attempt, or raise ``TransportError`` (``sent`` False when the request provably never
        left) or ``DeadlineExceeded``."""
        self.reasons.append(reason)
        _log.debug(
            "%s: POST %s failed (%s): %s",
            self.op.op_id,
            self.url,
            failure.value,
            redacted(reason, self._secrets),
        )
        if failure is Failure.MAYBE_SENT:
            self.reached_server = True
        self.remaining(now)
        safe = failure is Failure.NOT_SENT or self._may_repeat()
        if safe and self._can_retry():
            return self._retry(now)
        if not self.reached_server and self._refund is not None:
            self._refund()  # it never left: the API did not count it either
        tried = "; ".join(self.reasons)
        note = "" if safe else " (not retried: the request may have reached the server)"
        sent = True if self.answered_once else (False if not self.reached_server else None)
        raise TransportError(self.op.op_id, f"{self.attempts} attempt(s) failed: {tried}{note}", sent=sent)

    def decode(self, response: HttpResponse, now: float | None = None) -> R:
        """The typed result of the accepted response (``op.decode``, secrets scrubbed from
        any error); ``now``: when the answer was read (a slow call is logged)."""
        if now is not None and now - self.started > self.config.slow_call:
            _log.info(
                "%s: slow call: %.2f s, %d attempt(s), %d bytes",
                self.op.op_id,
                now - self.started,
                self.attempts,
                len(response.body),
            )
        try:
            return self.op.decode(response)
        except SmscProtoError as exc:
            exc.redact(self._secrets)
            raise

    def stream_decoder(self, head: HttpResponse) -> StreamDecoder[Any]:
        """``op.stream_decoder(head)``, secrets scrubbed from any error it raises."""
        return _Redacting(self.op.stream_decoder(head), self._secrets)


class _Redacting:
    __slots__ = ("_decoder", "_secrets")

    def __init__(self, decoder: StreamDecoder[Any], secrets: tuple[str, ...]) -> None:
        self._decoder = decoder
        self._secrets = secrets

    def feed(self, chunk: bytes) -> list[Any]:
        return self._guarded(partial(self._decoder.feed, chunk))

    def close(self) -> list[Any]:
        return self._guarded(self._decoder.close)

    def _guarded(self, step: Callable[[], list[Any]]) -> list[Any]:
        try:
            return step()
        except SmscProtoError as exc:
            exc.redact(self._secrets)
            raise


class CallPolicy:
    """Per-client policy: configuration, and the limits of the login (by default the ones
    every client of it shares in this process: ``limits.login_limits``). Thread-safe."""

    def __init__(
        self, credentials: Credentials, config: PolicyConfig | None = None, limits: LoginLimits | None = None
    ) -> None:
        self.credentials = credentials
        self.config = config or PolicyConfig()
        # Windows and slots of the login, shared with its other clients.
        self.limits = login_limits(credentials) if limits is None else limits
        self._secrets = credentials.secrets()

    def start(self, op: Op[R], now: float) -> Call[R]:
        """Begin a call at monotonic time ``now``; refuses (RateLimitedError, code 9, with
        ``retry_after``) a request that would exceed the op's documented limit."""
        call = self.prepare(op, now)
        if call.window is not None:
            key, limit = call.window
            call.admit(self.limits.acquire(key, limit, now), partial(self.limits.release, key, now))
        return call

    def prepare(self, op: Op[R], now: float) -> Call[R]:
        """``start`` without counting the call in its rate-limit window: a transport whose
        limits are awaited (``AsyncLoginLimits``) counts it in ``call.window`` itself and
        hands the answer to ``call.admit``."""
        request = op.request(self.credentials)
        request.body  # noqa: B018 -- encoded before a rate-limit slot is taken: a refused body never takes one
        secrets = (*self._secrets, *op.secrets())  # a sub-client's password, sent by users ops
        call = Call(op, request, self.config, now=now, secrets=secrets)
        limit = op.rate_limit if self.config.rate_limits else None
        if limit is not None:
            call.window = (RateLimiter.key(op.op_id, limit, request.fields), limit)
        return call
