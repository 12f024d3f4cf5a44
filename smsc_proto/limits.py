"""The limits of one login, shared by every client of it: the requests in flight (the API
refuses a 15th simultaneous one per login) and the per-minute windows of identical
requests (errors.md).

Sans-I/O: nothing here blocks, sleeps or reads a clock. ``try_slot`` answers at once and the
transport does the waiting; windows take the time from the caller. A ``Limiter`` hands each
client the limits of its login: ``LocalLimiter`` (the default) those of this process, a
shared store (``smsc_redis.RedisLimiter``) those of every process; both implement
``LoginLimits`` for sync clients and ``AsyncLoginLimits`` for async ones.

    limits = login_limits(credentials)
    if limits.try_slot(): ...; limits.release_slot()
    wait = limits.acquire(key, RateLimit(1), now)   # 0: counted; else seconds to wait
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Hashable
from typing import Protocol

from smsc_proto.credentials import Credentials
from smsc_proto.ratelimit import RateLimit, RateLimiter

__all__ = [
    "LOCAL",
    "MAX_IN_FLIGHT",
    "AsyncLoginLimits",
    "Limiter",
    "LocalLimiter",
    "LocalLimits",
    "LoginLimits",
    "login_digest",
    "login_limits",
    "reset",
]

# The API refuses a 15th simultaneous connection per login.
MAX_IN_FLIGHT = 14


class LoginLimits(Protocol):
    """What a client asks of the limits of its login."""

    def try_slot(self) -> bool:
        """Take one in-flight slot if one is free; False when all are taken."""
        ...

    def release_slot(self) -> None:
        """Give back a slot taken by ``try_slot``."""
        ...

    def acquire(self, key: str, limit: RateLimit, now: float) -> float:
        """Count a request in the window ``key`` at time ``now``: 0 when it fits (counted),
        else the seconds until it would."""
        ...

    def release(self, key: str, stamp: float) -> None:
        """Forget the request counted at ``stamp`` (it never left)."""
        ...


class AsyncLoginLimits(Protocol):
    """``LoginLimits`` for async clients: the same questions, awaited (a shared store
    answers over the network). ``release`` hands back a window's count of a request that
    never left; it is not awaited, so a store may finish it in the background."""

    async def try_slot(self) -> bool: ...

    async def release_slot(self) -> None: ...

    async def acquire(self, key: str, limit: RateLimit, now: float) -> float: ...

    def release(self, key: str, stamp: float) -> None: ...


class Limiter(Protocol):
    """Gives each client the limits of its login (``Client(..., limiter=...)``).
    ``clock`` names the time the client's windows count in (see ``login_limits``)."""

    def login(self, credentials: Credentials, clock: Hashable = None) -> LoginLimits: ...

    def async_login(self, credentials: Credentials, clock: Hashable = None) -> AsyncLoginLimits: ...


class LocalLimits:
    """The limits of one login in this process; thread-safe (sync clients in threads and
    async clients in event loops share one)."""

    def __init__(self, max_in_flight: int = MAX_IN_FLIGHT) -> None:
        self.max_in_flight = max_in_flight
        self._busy = 0
        self._lock = threading.Lock()
        self._windows = RateLimiter()

    @property
    def in_flight(self) -> int:
        return self._busy

    def try_slot(self) -> bool:
        with self._lock:
            if self._busy >= self.max_in_flight:
                return False
            self._busy += 1
            return True

    def release_slot(self) -> None:
        with self._lock:
            if self._busy > 0:
                self._busy -= 1

    def acquire(self, key: str, limit: RateLimit, now: float) -> float:
        with self._lock:
            return self._windows.acquire(key, limit, now)

    def release(self, key: str, stamp: float) -> None:
        with self._lock:
            self._windows.release(key, stamp)


class _AsyncLocalLimits:
    """A ``LocalLimits`` for async clients: its lock is held for microseconds, so nothing
    here suspends."""

    __slots__ = ("limits",)

    def __init__(self, limits: LocalLimits) -> None:
        self.limits = limits

    async def try_slot(self) -> bool:
        return self.limits.try_slot()

    async def release_slot(self) -> None:
        self.limits.release_slot()

    async def acquire(self, key: str, limit: RateLimit, now: float) -> float:
        return self.limits.acquire(key, limit, now)

    def release(self, key: str, stamp: float) -> None:
        self.limits.release(key, stamp)


class LocalLimiter:
    """The limits of each login in this process (``login_limits``): every client in it,
    sync or async, shares them. The default limiter."""

    def login(self, credentials: Credentials, clock: Hashable = None) -> LoginLimits:
        return login_limits(credentials, clock)

    def async_login(self, credentials: Credentials, clock: Hashable = None) -> AsyncLoginLimits:
        return _AsyncLocalLimits(login_limits(credentials, clock))

    def __repr__(self) -> str:
        return "LocalLimiter()"


LOCAL = LocalLimiter()

_REGISTRY: dict[tuple[str, Hashable], LocalLimits] = {}
_REGISTRY_LOCK = threading.Lock()


def login_limits(credentials: Credentials, clock: Hashable = None) -> LocalLimits:
    """The limits every client of ``credentials``' login shares in this process (at most
    ``MAX_IN_FLIGHT`` requests in flight; a client may cap itself lower). ``clock`` names
    the time the windows count in: clients with a clock of their own (tests, simulations)
    do not mix its times with real ones. The registry keys a digest of the login, never
    the login or key itself."""
    key = (login_digest(credentials), clock)
    with _REGISTRY_LOCK:
        limits = _REGISTRY.get(key)
        if limits is None:
            limits = _REGISTRY[key] = LocalLimits()
    return limits


def login_digest(credentials: Credentials) -> str:
    """A SHA-256 hex digest naming the login (or API key) of ``credentials``: what shared
    limits are keyed by, never the login or key itself. A login and an API key of the same
    account are not known to be the same, so they are counted apart."""
    identity = (
        f"apikey:{credentials.secrets()[0]}" if credentials.uses_apikey else f"login:{credentials.login}"
    )
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()


def reset() -> None:
    """Forget the limits of every login in this process, as a new process starts: between
    the tests of a suite whose clients share logins."""
    with _REGISTRY_LOCK:
        _REGISTRY.clear()
