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

import logging
import math
import os
import threading
import weakref
from collections.abc import Hashable
from typing import get_args

import redis

from smsc_proto.credentials import Credentials
from smsc_proto.limits import MAX_IN_FLIGHT, AsyncLoginLimits, LoginLimits, login_digest, login_limits
from smsc_redis.address import RedisAddress
from smsc_redis.async_limits import AsyncRedisLoginLimits
from smsc_redis.availability import Availability, OnUnavailable
from smsc_redis.connection import REDIS_ERRORS, AsyncConnections, AsyncScripts, SyncConnection
from smsc_redis.login_state import LoginState
from smsc_redis.renewal import RenewalTask, RenewalThread
from smsc_redis.sync_limits import RedisLoginLimits

__all__ = ["RedisLimiter"]

_log = logging.getLogger("smsc.limits")

# A lease is renewed every third of it: two renewals may fail before it lapses.
_RENEWALS_PER_LEASE = 3
# The shortest lease: renewals every ~0.17 s at most.
_MIN_LEASE = 0.5


class RedisLimiter:
    """A ``Limiter`` keeping the limits of each login in Redis, for every process that uses
    the same server, ``prefix`` and login.

    ``url``: ``redis://[user:password@]host:port/db``, ``rediss://`` (TLS) or
    ``unix:///path.sock?db=N``. ``max_in_flight`` (1..14): the requests in flight per
    login, all processes together. ``lease`` (seconds): how long a slot of a process that
    died stays taken (a live process renews its slots every ``lease / 3`` s while it holds
    them, so a long call keeps its slot). ``on_unavailable``: when Redis cannot be reached,
    ``"fail"`` raises ``LimiterUnavailable`` (nothing is sent), ``"local"`` counts the
    limits in this process alone (one WARNING on the ``smsc.limits`` logger) until Redis
    answers again. ``socket_timeout``: the most a Redis command may take; ``retry_interval``:
    how often an unreachable Redis is asked again.

    Sync limits use one connection pool shared by every thread; async ones one asyncio
    client per event loop. ``close()`` / ``await aclose()`` close them (a later call opens
    them again).

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
        on_unavailable: OnUnavailable = "fail",
        prefix: str = "smsc",
        socket_timeout: float = 1.0,
        retry_interval: float = 5.0,
    ) -> None:
        self._address = RedisAddress.parse(url)
        _check_url_options(url)
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
        self._async = AsyncConnections(url, socket_timeout=socket_timeout, renewal=self._renewal_task)
        self._renewer = RenewalThread(lease / _RENEWALS_PER_LEASE, self._renew_sync, self._holding)
        self._lock = threading.Lock()
        self._logins: dict[tuple[str, Hashable], LoginState] = {}
        self._sync_views: dict[tuple[str, Hashable], RedisLoginLimits] = {}
        self._async_views: dict[tuple[str, Hashable], AsyncRedisLoginLimits] = {}
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
        key = (login_digest(credentials), clock)
        view = self._sync_views.get(key)
        if view is None:
            with self._lock:
                view = self._sync_views.get(key)
                if view is None:
                    state = self._state(key, credentials)
                    view = RedisLoginLimits(state, self._sync, self._availability, self._renewer)
                    self._sync_views[key] = view
        return view

    def async_login(self, credentials: Credentials, clock: Hashable = None) -> AsyncLoginLimits:
        """The limits of ``credentials``' login for async clients (``smsc_aiohttp.AsyncClient``),
        usable in any event loop; one object per login and ``clock``.

            limits = limiter.async_login(Credentials(login="acme", psw="..."))
            await limits.try_slot()
        """
        key = (login_digest(credentials), clock)
        view = self._async_views.get(key)
        if view is None:
            with self._lock:
                view = self._async_views.get(key)
                if view is None:
                    state = self._state(key, credentials)
                    view = AsyncRedisLoginLimits(state, self._async.get, self._availability)
                    self._async_views[key] = view
        return view

    def close(self) -> None:
        """Stop renewing the sync clients' leases and close the sync connection pool (the
        leases still held expire within ``lease``). A later call connects again.

            limiter.close()
        """
        self._renewer.stop()
        self._sync.close()

    async def aclose(self) -> None:
        """Close the running event loop's client and stop its renewal task (call it before
        the loop ends, e.g. at the end of the coroutine ``asyncio.run`` runs).

            await limiter.aclose()
        """
        await self._async.aclose()

    # -- inside ---------------------------------------------------------------------------

    def _state(self, key: tuple[str, Hashable], credentials: Credentials) -> LoginState:
        # Under self._lock. The sync and async limits of a login share its state (and so
        # its leases): every lease of the process is interchangeable.
        state = self._logins.get(key)
        if state is None:
            digest, clock = key
            state = self._logins[key] = LoginState(
                self.prefix,
                digest,
                login_limits(credentials, clock),
                max_in_flight=self.max_in_flight,
                lease=self.lease,
                own_clock=clock is not None,
            )
        return state

    def _holding(self) -> bool:
        return any(state.tokens() for state in list(self._logins.values()))

    def _renew_sync(self) -> None:
        """Renew every lease this process holds, through the sync client."""
        for state in list(self._logins.values()):
            tokens = state.tokens()
            if not tokens:
                continue
            try:
                _, scripts = self._sync.get()
                lost = scripts.renew_slots(keys=[state.slots_key], args=[state.lease_ms, *tokens])
            except REDIS_ERRORS as exc:
                self._availability.failed(exc)
                return
            self._availability.succeeded()
            self._lapsed(state, lost)

    async def _renew_async(self, scripts: AsyncScripts) -> None:
        """Renew every lease this process holds, through one loop's client (``scripts`` are
        registered on it)."""
        for state in list(self._logins.values()):
            tokens = state.tokens()
            if not tokens:
                continue
            try:
                lost = await scripts.renew_slots(keys=[state.slots_key], args=[state.lease_ms, *tokens])
            except REDIS_ERRORS as exc:
                self._availability.failed(exc)
                return
            self._availability.succeeded()
            self._lapsed(state, lost)

    def _renewal_task(self, scripts: AsyncScripts) -> RenewalTask:
        return RenewalTask(
            self.lease / _RENEWALS_PER_LEASE, lambda: self._renew_async(scripts), self._holding
        )

    def _lapsed(self, state: LoginState, lost: list[bytes]) -> None:
        # Gone from Redis while held: this process stalled (or could not reach Redis) for
        # longer than a lease, and another may have taken the slot meanwhile.
        count = state.lapse([token.decode() for token in lost])
        if count:
            _log.warning(
                "%d lease(s) of this process expired in Redis while held (no renewal for %g s): "
                "for a while, more than max_in_flight=%d requests may be in flight",
                count,
                self.lease,
                self.max_in_flight,
            )

    def _after_fork(self) -> None:
        # A forked child shares the parent's memory: the leases and counts there are the
        # parent's, and so are its threads, loops and locks.
        self._lock = threading.Lock()
        for state in self._logins.values():
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


def _check_url_options(url: str) -> None:
    """The URL's query options as redis-py reads them (``?ssl_cert_reqs=none``...), checked
    now rather than at the first call; its message names the option, never the URL."""
    try:
        redis.ConnectionPool.from_url(url)  # connects nothing
    except ValueError as exc:
        reason = str(exc) if "://" not in str(exc) else "redis-py cannot read it"
        raise ValueError(f"url: {reason}") from None


# Every limiter of the process, to forget in a forked child what belongs to the parent.
_LIMITERS: weakref.WeakSet[RedisLimiter] = weakref.WeakSet()


def _after_fork() -> None:
    for limiter in list(_LIMITERS):
        limiter._after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)
