"""``LoginLimits`` and ``AsyncLoginLimits`` of one login kept in Redis, for sync clients
(``RedisLimiter.login``) and async ones (``RedisLimiter.async_login``).

    limits = RedisLimiter("redis://127.0.0.1:6379/0").login(credentials)
    if limits.try_slot():  # a lease in Redis, renewed while held
        try:
            ...  # the request
        finally:
            limits.release_slot()
    wait = limits.acquire(key, RateLimit(1), time.monotonic())  # 0: counted in Redis

Every method asks Redis once (a script or a ZREM): what to ask and what the answer means are
the login's ``LoginState``'s, shared by both. When Redis cannot be used: with
``on_unavailable="fail"`` ``try_slot`` and ``acquire`` raise ``LimiterUnavailable``
(nothing is sent); with ``"local"`` they answer from this process's limits. ``release_slot``
and ``release`` never raise: a lease that cannot be given back expires by itself within a
lease, and a count that cannot be handed back stays (the conservative side). The async
``release`` (not awaited by clients) runs its ZREM in a task of the running loop, which the
next ``acquire`` of the same window waits for.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from smsc_proto.ratelimit import RateLimit
from smsc_redis.connection import REDIS_ERRORS, LoopState, SyncConnection
from smsc_redis.login_state import LoginState, new_token

__all__ = ["AsyncRedisLoginLimits", "RedisLoginLimits"]


class RedisLoginLimits:
    """The limits of one login kept in Redis, for sync clients in any thread; made by
    ``RedisLimiter.login`` (one per login and clock, shared by its clients).

    ``Client(credentials, hosts=[...], limiter=RedisLimiter(url))`` uses it; by hand::

        limits = limiter.login(credentials)
        limits.try_slot()  # True: a lease is held until release_slot()
    """

    def __init__(self, state: LoginState, connection: SyncConnection) -> None:
        self._state = state
        self._connection = connection

    def __repr__(self) -> str:
        return f"RedisLoginLimits({self._state.slots_key!r})"

    def try_slot(self) -> bool:
        """Take a lease if fewer than ``max_in_flight`` are held by every process."""
        state = self._state
        if state.availability.should_try():
            token = new_token()
            try:
                answer = self._connection.get().take_slot(keys=[state.slots_key], args=state.slot_args(token))
            except REDIS_ERRORS as exc:
                state.availability.failed(exc)
            else:
                return state.granted(token, answer)
        return state.take_local()  # outside the except block: nothing chained

    def release_slot(self) -> None:
        """Give back one lease of this process (or local slot) for this login."""
        token = self._state.give_back()
        if token is not None:
            self._connection.get().remove(self._state.slots_key, token)

    def acquire(self, key: str, limit: RateLimit, now: float) -> float:
        """Count a request in the window ``key`` shared by every process: 0 when it fits
        (counted), else the seconds until it would. ``now`` is the client's time: the stamp
        ``release`` names the count by (the window itself counts in Redis's time, unless
        the client has a clock of its own)."""
        state = self._state
        if state.availability.should_try():
            member = new_token()
            try:
                answer = self._connection.get().acquire_window(
                    keys=[state.window_key(key)], args=state.window_args(limit, member, now)
                )
            except REDIS_ERRORS as exc:
                state.availability.failed(exc)
            else:
                return state.counted(answer, key, now, member)
        return state.count_local(key, limit, now)

    def release(self, key: str, stamp: float) -> None:
        """Hand back the count made at ``stamp`` (the request never left)."""
        found = self._state.refund(key, stamp)
        if found is not None:
            self._connection.get().remove(*found)


class AsyncRedisLoginLimits:
    """The limits of one login kept in Redis, for async clients in any event loop; made by
    ``RedisLimiter.async_login`` (one per login and clock, shared by its clients).

    ``AsyncClient(credentials, hosts=[...], limiter=RedisLimiter(url))`` uses it; by hand::

        limits = limiter.async_login(credentials)
        await limits.try_slot()  # True: a lease is held until release_slot()
    """

    def __init__(self, state: LoginState, loop_state: Callable[[], LoopState]) -> None:
        self._state = state
        self._loop_state = loop_state

    def __repr__(self) -> str:
        return f"AsyncRedisLoginLimits({self._state.slots_key!r})"

    async def try_slot(self) -> bool:
        """Take a lease if fewer than ``max_in_flight`` are held by every process."""
        state = self._state
        if state.availability.should_try():
            token = new_token()
            loop_state = self._loop_state()
            try:
                answer = await loop_state.take_slot(keys=[state.slots_key], args=state.slot_args(token))
            except REDIS_ERRORS as exc:
                state.availability.failed(exc)
            else:
                return state.granted(token, answer)
        return state.take_local()  # outside the except block: nothing chained

    async def release_slot(self) -> None:
        """Give back one lease of this process (or local slot) for this login."""
        token = self._state.give_back()
        if token is not None:
            await self._loop_state().remove(self._state.slots_key, token)

    async def acquire(self, key: str, limit: RateLimit, now: float) -> float:
        """Count a request in the window ``key`` shared by every process: 0 when it fits
        (counted), else the seconds until it would (see ``RedisLoginLimits.acquire``)."""
        state, loop_state = self._state, self._loop_state()
        window = state.window_key(key)
        # A refund of this window still on its way lands first: the retry of a request that
        # never left must find its count handed back. Those of other windows do not matter.
        await loop_state.pending(window)
        if state.availability.should_try():
            member = new_token()
            try:
                answer = await loop_state.acquire_window(
                    keys=[window], args=state.window_args(limit, member, now)
                )
            except REDIS_ERRORS as exc:
                state.availability.failed(exc)
            else:
                return state.counted(answer, key, now, member)
        return state.count_local(key, limit, now)

    def release(self, key: str, stamp: float) -> None:
        """Hand back the count made at ``stamp`` (the request never left): at once when it
        was counted locally, else by a task on the running loop (none running: not handed
        back, the conservative side)."""
        found = self._state.refund(key, stamp)
        if found is not None:
            # The loop's state now, not when the task runs: an aclose() in between must not
            # leave a client of the task's making open.
            with contextlib.suppress(RuntimeError):  # no loop running
                self._loop_state().spawn_remove(*found)
