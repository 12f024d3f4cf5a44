"""The limits of one login, shared by every client of it in this process: the requests in
flight (the API refuses a 15th simultaneous one per login) and the per-minute windows of
identical requests (errors.md).

Sans-I/O: nothing here blocks, sleeps or reads a clock. ``try_slot`` answers at once and the
transport does the waiting; windows take the time from the caller. The methods are the
interface a shared store (Redis, across processes) implements too.

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

__all__ = ["MAX_IN_FLIGHT", "LocalLimits", "LoginLimits", "login_limits", "reset"]

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


_REGISTRY: dict[tuple[str, Hashable], LocalLimits] = {}
_REGISTRY_LOCK = threading.Lock()


def login_limits(credentials: Credentials, clock: Hashable = None) -> LocalLimits:
    """The limits every client of ``credentials``' login shares in this process (at most
    ``MAX_IN_FLIGHT`` requests in flight; a client may cap itself lower). ``clock`` names
    the time the windows count in: clients with a clock of their own (tests, simulations)
    do not mix its times with real ones. The registry keys a digest of the login, never
    the login or key itself."""
    key = (_account(credentials), clock)
    with _REGISTRY_LOCK:
        limits = _REGISTRY.get(key)
        if limits is None:
            limits = _REGISTRY[key] = LocalLimits()
    return limits


def _account(credentials: Credentials) -> str:
    # A login and an API key of the same account are not known to be the same: counted apart.
    identity = (
        f"apikey:{credentials.secrets()[0]}" if credentials.uses_apikey else f"login:{credentials.login}"
    )
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()


def reset() -> None:
    """Forget the limits of every login in this process, as a new process starts: between
    the tests of a suite whose clients share logins."""
    with _REGISTRY_LOCK:
        _REGISTRY.clear()
