"""``RedisLimiter``: the limits of each login shared by every process (and machine) that uses
the same Redis: at most ``max_in_flight`` requests in flight per login, and the per-minute
windows of identical requests, counted together.

    >>> limiter = RedisLimiter("redis://:s3cret@127.0.0.1:6379/0", max_in_flight=8)
    >>> limiter  # nothing is connected before the first call; no password shown
    RedisLimiter(host='127.0.0.1', port=6379, db=0, max_in_flight=8, lease=10.0, on_unavailable='fail')

With clients::

    limiter = RedisLimiter("redis://redis.internal:6379/0")
    client = Client(credentials, limiter=limiter)          # smsc_urllib3
    async_client = AsyncClient(credentials, limiter=limiter)  # smsc_aiohttp
"""

from __future__ import annotations

import math
import os
import threading
import time
import weakref
from collections.abc import Hashable
from typing import get_args

from smsc_proto.credentials import Credentials
from smsc_proto.limits import MAX_IN_FLIGHT, AsyncLoginLimits, LoginLimits, login_digest, login_limits
from smsc_redis.address import RedisAddress
from smsc_redis.availability import Availability, OnUnavailable
from smsc_redis.connection import REDIS_ERRORS, AsyncConnections, SyncConnection
from smsc_redis.limits import AsyncRedisLoginLimits, RedisLoginLimits
from smsc_redis.login_state import LoginState
from smsc_redis.renewal import RenewalThread

__all__ = ["RedisLimiter"]

# A lease is renewed every third of it: two renewals may fail before it lapses.
_RENEWALS_PER_LEASE = 3
# The shortest lease: renewals every ~0.17 s at most.
_MIN_LEASE = 0.5


# What a limiter keeps per login and clock: the state and the sync and async limits over it.
_Login = tuple[LoginState, RedisLoginLimits, AsyncRedisLoginLimits]


class RedisLimiter:
    """A ``Limiter`` keeping the limits of each login in Redis, for every process that uses
    the same server, ``prefix`` and login.

    ``url``: ``redis://[user:password@]host:port/db``, ``rediss://`` (TLS) or
    ``unix:///path.sock?db=N``, as redis-py reads it (a single server: not a Redis Cluster).
    ``max_in_flight`` (1..14): the requests in flight per login, all processes together;
    each caller asks for its own cap, so every process of a login should use the same.
    ``lease`` (seconds): how long a slot of a process that died stays taken (the limiter's
    thread renews every slot held in the process every ``lease / 3`` s, so a long call keeps
    its slot). ``max_hold`` (seconds, 900 by default): a slot held longer is taken for one
    never given back (a client bug, a lost task) and no longer renewed, so it lapses within
    ``lease`` (one WARNING); keep it above the longest ``total_timeout`` of the clients
    (120 s by default).
    ``on_unavailable``: when Redis cannot be reached, ``"fail"`` raises
    ``LimiterUnavailable`` (nothing is sent), ``"local"`` counts the limits in this process
    alone (one WARNING on the ``smsc.limits`` logger) until Redis answers again; only calls
    tell (a background renewal or a release that fails changes nothing).
    ``socket_timeout``: the most a Redis command may take; ``retry_interval``: how often an
    unreachable Redis is asked again.

    The leases live in Redis alone: a Redis restart (without persistence) or a failover to a
    replica the latest writes had not reached drops them, and until the calls in flight then
    end, more than ``max_in_flight`` may be in flight. Keys are ``<prefix>:<SHA-256 of the
    login or API key>:...``: an unsalted digest names the login without showing it, a
    pseudonym, not a secret (whoever can read the keys can test a guessed login against it).

    Sync limits use one connection pool shared by every thread (and the renewals); async ones
    one asyncio client per event loop. ``close()`` / ``await aclose()`` close them (a later
    call opens them again).

    >>> RedisLimiter("redis://127.0.0.1:6379/0", max_in_flight=20)
    Traceback (most recent call last):
    ...
    ValueError: max_in_flight: 20 is not an int from 1 to 14 (the API refuses a 15th request at once)
    """

    def __init__(
        self,
        url: str,
        *,
        max_in_flight: int = MAX_IN_FLIGHT,
        lease: float = 10.0,
        max_hold: float = 900.0,
        on_unavailable: OnUnavailable = "fail",
        prefix: str = "smsc",
        socket_timeout: float = 1.0,
        retry_interval: float = 5.0,
    ) -> None:
        self._address = RedisAddress.parse(url)
        if (
            isinstance(max_in_flight, bool)
            or not isinstance(max_in_flight, int)
            or not (1 <= max_in_flight <= MAX_IN_FLIGHT)
        ):
            raise ValueError(
                f"max_in_flight: {max_in_flight!r} is not an int from 1 to {MAX_IN_FLIGHT} "
                f"(the API refuses a {MAX_IN_FLIGHT + 1}th request at once)"
            )
        socket_timeout = _seconds("socket_timeout", socket_timeout, "the most a Redis command may take")
        retry_interval = _seconds("retry_interval", retry_interval, "how often a dead Redis is asked again")
        lease = _seconds("lease", lease, "how long the slot of a process that died stays taken")
        self.max_hold = _seconds("max_hold", max_hold, "how long a slot is renewed at most")
        if lease < _MIN_LEASE:
            raise ValueError(f"lease: {lease!r} s is under {_MIN_LEASE} s (it is renewed every third of it)")
        if lease <= 2 * socket_timeout:
            raise ValueError(
                f"lease: {lease!r} s is not more than twice socket_timeout ({socket_timeout!r} s): "
                "a slow renewal would let held slots lapse"
            )
        if on_unavailable not in get_args(OnUnavailable):
            raise ValueError(f"on_unavailable: {on_unavailable!r} is not 'fail' or 'local'")
        if not isinstance(prefix, str) or not prefix or any(c.isspace() for c in prefix):
            raise ValueError(f"prefix: {prefix!r} is not a non-empty str without spaces (it starts each key)")
        self.max_in_flight = max_in_flight
        self.lease = lease
        self.on_unavailable: OnUnavailable = on_unavailable
        self.prefix = prefix
        self._availability = Availability(self._address, on_unavailable, retry_interval=retry_interval)
        self._sync = SyncConnection(url, socket_timeout=socket_timeout)
        self._async = AsyncConnections(url, socket_timeout=socket_timeout)
        self._renewer = RenewalThread(lease / _RENEWALS_PER_LEASE, self._renew, self._holding)
        self._lock = threading.Lock()
        self._logins: dict[tuple[str, Hashable], _Login] = {}
        _LIMITERS.add(self)

    def __repr__(self) -> str:
        if self._address.path is not None:
            where = f"path={self._address.path!r}"
        else:
            where = f"host={self._address.host!r}, port={self._address.port!r}"
        return (
            f"RedisLimiter({where}, db={self._address.db!r}, max_in_flight={self.max_in_flight!r}, "
            f"lease={self.lease!r}, on_unavailable={self.on_unavailable!r})"
        )

    def login(self, credentials: Credentials, clock: Hashable = None) -> LoginLimits:
        """The limits of ``credentials``' login for sync clients (``smsc_urllib3.Client``);
        one object per login and ``clock``, shared by its clients. Connects nothing yet.

            limits = limiter.login(Credentials(login="acme", psw="..."))
            limits.try_slot()
        """
        return self._login(credentials, clock)[1]

    def async_login(self, credentials: Credentials, clock: Hashable = None) -> AsyncLoginLimits:
        """The limits of ``credentials``' login for async clients (``smsc_aiohttp.AsyncClient``),
        usable in any event loop; one object per login and ``clock``.

            limits = limiter.async_login(Credentials(login="acme", psw="..."))
            await limits.try_slot()
        """
        return self._login(credentials, clock)[2]

    def close(self) -> None:
        """Stop renewing the leases (sync and async clients') and close the sync connection
        pool (the leases still held expire within ``lease``). A later call connects again.

            limiter.close()
        """
        self._renewer.stop()
        self._sync.close()

    async def aclose(self) -> None:
        """Close the running event loop's client, once its refunds have landed (call it
        before the loop ends, e.g. at the end of the coroutine ``asyncio.run`` runs). The
        leases are renewed until ``close()``.

            await limiter.aclose()
        """
        await self._async.aclose()

    # -- inside ---------------------------------------------------------------------------

    def _login(self, credentials: Credentials, clock: Hashable) -> _Login:
        # The sync and async limits of a login share its state (and so its leases): every
        # lease of the process is interchangeable.
        key = (login_digest(credentials), clock)
        login = self._logins.get(key)
        if login is None:
            with self._lock:
                login = self._logins.get(key)
                if login is None:
                    state = LoginState(
                        self.prefix,
                        key[0],
                        login_limits(credentials, clock),
                        self._availability,
                        self._renewer.wake,
                        max_in_flight=self.max_in_flight,
                        lease=self.lease,
                        max_hold=self.max_hold,
                        own_clock=clock is not None,
                    )
                    login = (
                        state,
                        RedisLoginLimits(state, self._sync),
                        AsyncRedisLoginLimits(state, self._async.get),
                    )
                    self._logins[key] = login
        return login

    def _states(self) -> list[LoginState]:
        return [login[0] for login in list(self._logins.values())]

    def _holding(self) -> bool:
        return any(state.holding() for state in self._states())

    def _renew(self) -> None:
        """Renew every lease this process holds, through the sync client (in the renewal
        thread). A failure changes nothing but this round: the next tries again, and Redis's
        availability is for the calls to tell."""
        now = time.monotonic()
        for state in self._states():
            tokens = state.renewable(now)
            if tokens:
                try:
                    lost = self._sync.get().renew_slots(
                        keys=[state.slots_key], args=[state.lease_ms, *tokens]
                    )
                except REDIS_ERRORS:
                    continue
                state.lapse([token.decode() for token in lost])

    def _after_fork(self) -> None:
        # A forked child shares the parent's memory: the leases and counts there are the
        # parent's, and so are its threads, loops and locks.
        self._lock = threading.Lock()
        for state in self._states():
            state.forget()
        self._availability.after_fork()
        self._renewer.after_fork()
        self._sync.after_fork()
        self._async.after_fork()


def _seconds(name: str, value: float, meaning: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ValueError(f"{name}: {value!r} is not a positive number of seconds ({meaning})")
    return float(value)


# Every limiter of the process, to forget in a forked child what belongs to the parent.
_LIMITERS: weakref.WeakSet[RedisLimiter] = weakref.WeakSet()


def _after_fork() -> None:
    for limiter in list(_LIMITERS):
        limiter._after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)
