"""The call policy, sans I/O: which host to try, whether to retry, how long to wait.

Transports run a small loop over it (h11 style)::

    call = policy.start(op, now)          # may refuse locally: RateLimitedError
    step = call.first()                   # an Attempt
    while True:
        if isinstance(step, Wait): sleep(step.seconds); step = step.then
        try:    status = <send step.request to step.url, read the status>
        except: step = call.on_failure(Failure.NOT_SENT or MAYBE_SENT, reason)
                (a Fail step: raise step.error)
        else:   step = call.on_status(status)   # Proceed: decode the body with the op

Rules: an op that sends or creates (``idempotent = False``) is retried only when the
request provably never left (connection refused, DNS, TLS handshake, connect timeout),
never after a read timeout or a 5xx. API errors (4 IP blocked, 9 rate limit) are in the
body and surface as errors; nothing here repeats them.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import urlsplit

from smsc_proto.credentials import Credentials
from smsc_proto.errors import RateLimitedError, SmscProtoError, TransportError
from smsc_proto.http import HttpRequest
from smsc_proto.op import Op
from smsc_proto.ratelimit import RateLimiter

__all__ = [
    "DEFAULT_HOSTS",
    "Attempt",
    "Call",
    "CallPolicy",
    "Fail",
    "Failure",
    "PolicyConfig",
    "Proceed",
    "Wait",
]

# The main host first, then its documented backup.
DEFAULT_HOSTS = ("https://smsc.ru", "https://www2.smsc.ru")
# The API refuses a 15th simultaneous connection per login; stay clearly below it.
MAX_IN_FLIGHT = 10
_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


def _check_host(host: str) -> str:
    parts = urlsplit(host)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"host {host!r}: expected a base URL such as 'https://smsc.ru'")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError(f"host {host!r}: must not carry credentials, a query or a fragment")
    return host.rstrip("/")


@dataclass(frozen=True, slots=True)
class PolicyConfig:
    """``hosts``: base URLs, the main one first, then backups. ``max_attempts``: tries per
    call across hosts. ``backoff``: first wait before a retry, doubled each time up to
    ``max_backoff``. ``rate_limits``: refuse locally what the API would refuse with error 9."""

    hosts: tuple[str, ...] = DEFAULT_HOSTS
    max_attempts: int = 3
    backoff: float = 0.5
    max_backoff: float = 8.0
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    rate_limits: bool = True
    max_in_flight: int = MAX_IN_FLIGHT

    def __post_init__(self) -> None:
        if isinstance(self.hosts, str):
            raise ValueError("hosts: give a sequence of base URLs, not one string")
        hosts = tuple(_check_host(h) for h in self.hosts)
        if not hosts:
            raise ValueError("hosts: at least one base URL is needed")
        object.__setattr__(self, "hosts", hosts)
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts={self.max_attempts}: must be at least 1")
        if self.backoff < 0 or self.max_backoff < 0:
            raise ValueError("backoff and max_backoff must not be negative")
        if self.connect_timeout <= 0 or self.read_timeout <= 0:
            raise ValueError("timeouts must be positive")
        if not 1 <= self.max_in_flight < 15:
            raise ValueError(f"max_in_flight={self.max_in_flight}: must be 1..14 (the API allows 14)")


class Failure(enum.Enum):
    """How an exchange failed, as far as the transport can tell."""

    NOT_SENT = "not sent"  # connection refused, DNS, TLS handshake, connect timeout
    MAYBE_SENT = "maybe sent"  # read timeout, reset or truncation after the request went out


@dataclass(frozen=True, slots=True)
class Attempt:
    """Send ``request`` to ``url`` (host + path) now."""

    url: str
    request: HttpRequest
    number: int
    connect_timeout: float
    read_timeout: float


@dataclass(frozen=True, slots=True)
class Wait:
    """Sleep ``seconds``, then make attempt ``then``."""

    seconds: float
    then: Attempt


@dataclass(frozen=True, slots=True)
class Proceed:
    """The response is final: decode its body with the op."""


@dataclass(frozen=True, slots=True)
class Fail:
    """Give up with ``error``."""

    error: SmscProtoError


PROCEED = Proceed()


@dataclass(slots=True)
class Call:
    """The state of one call: which attempt, which host next."""

    op: Op
    request: HttpRequest
    config: PolicyConfig
    attempts: int = 0
    reasons: list[str] = field(default_factory=list)
    # Hands back the rate-limit slot this call took, should the request never leave.
    refund: Callable[[], None] | None = None
    reached_server: bool = False

    def first(self) -> Attempt:
        return self._attempt()

    def _attempt(self) -> Attempt:
        host = self.config.hosts[self.attempts % len(self.config.hosts)]
        self.attempts += 1
        return Attempt(
            host + self.request.path,
            self.request,
            self.attempts,
            self.config.connect_timeout,
            self.config.read_timeout,
        )

    def _retry(self) -> Wait:
        delay = min(self.config.backoff * 2 ** (self.attempts - 1), self.config.max_backoff)
        return Wait(delay, self._attempt())

    def _can_retry(self) -> bool:
        return self.attempts < self.config.max_attempts

    def _may_repeat(self) -> bool:
        """Whether a request that may have reached the server can be sent again: it must be
        idempotent, and not limited to one identical request a minute (jobs, documents,
        mass status), where the repeat would only earn error 9 and hide the outcome."""
        limit = self.op.limit()
        return self.op.idempotent and (limit is None or limit.count > 1)

    def on_status(self, status: int) -> Proceed | Wait:
        """The server answered ``status``: decode it, or (repeatable ops, transient
        statuses, attempts left) try again on the next host."""
        self.reached_server = True
        if status in _RETRY_STATUSES and self._may_repeat() and self._can_retry():
            self.reasons.append(f"HTTP {status}")
            return self._retry()
        return PROCEED

    def on_failure(self, failure: Failure, reason: str) -> Wait | Fail:
        """The exchange failed before a status was read."""
        self.reasons.append(reason)
        if failure is Failure.MAYBE_SENT:
            self.reached_server = True
        safe = failure is Failure.NOT_SENT or self._may_repeat()
        if safe and self._can_retry():
            return self._retry()
        if not self.reached_server and self.refund is not None:
            self.refund()  # it never left: the API did not count it either
        sent = False if failure is Failure.NOT_SENT else None
        tried = "; ".join(self.reasons)
        note = "" if safe else " (not retried: the request may have reached the server)"
        reason = f"{self.attempts} attempt(s) failed: {tried}{note}"
        return Fail(TransportError(self.op.op_id, reason, sent=sent))


class CallPolicy:
    """Per-client policy: configuration plus the memory of recent requests for rate limits.

    Not thread-safe by itself; a threaded transport serialises ``start``.
    """

    def __init__(self, credentials: Credentials, config: PolicyConfig | None = None) -> None:
        self.credentials = credentials
        self.config = config or PolicyConfig()
        self.limiter = RateLimiter()

    def start(self, op: Op, now: float) -> Call:
        """Begin a call at monotonic time ``now``; refuses (RateLimitedError, code 9, with
        ``retry_after``) a request that would exceed the op's documented limit."""
        params = op.params()
        limit = op.limit() if self.config.rate_limits else None
        refund = None
        if limit is not None:
            key = RateLimiter.key(op.op_id, limit, params)
            wait = self.limiter.acquire(key, limit, now)
            if wait > 0:
                kind = "identical " if limit.identical else ""
                raise RateLimitedError(
                    9,
                    f"refused locally: more than {limit.count} {kind}requests per {limit.per:g} s; "
                    f"retry in {wait:.1f} s",
                    op.op_id,
                    retry_after=wait,
                )
            refund = partial(self.limiter.release, key, now)
        return Call(op, op.request(self.credentials), self.config, refund=refund)
