"""``AsyncLoginLimits`` of one login kept in Redis, for async clients
(``RedisLimiter.async_login``): the same as ``RedisLoginLimits``, over the running loop's
asyncio client.

    limits = RedisLimiter("redis://127.0.0.1:6379/0").async_login(credentials)
    if await limits.try_slot():
        try:
            ...  # the request
        finally:
            await limits.release_slot()

``release`` (a count handed back) is not awaited by clients: it schedules its ZREM on the
running loop, keeping the task referenced until it ends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from smsc_proto.ratelimit import RateLimit
from smsc_redis.availability import Availability
from smsc_redis.connection import REDIS_ERRORS, LoopState
from smsc_redis.login_state import LAPSED, LOCAL, LoginState, new_token
from smsc_redis.sync_limits import window_args

__all__ = ["AsyncRedisLoginLimits"]


class AsyncRedisLoginLimits:
    """The limits of one login kept in Redis, for async clients in any event loop; made by
    ``RedisLimiter.async_login`` (one per login and clock, shared by its clients).

    ``AsyncClient(credentials, hosts=[...], limiter=RedisLimiter(url))`` uses it; by hand::

        limits = limiter.async_login(credentials)
        await limits.try_slot()  # True: a lease is held until release_slot()
    """

    def __init__(
        self, state: LoginState, loop_state: Callable[[], LoopState], availability: Availability
    ) -> None:
        self._state = state
        self._loop_state = loop_state
        self._availability = availability

    def __repr__(self) -> str:
        return f"AsyncRedisLoginLimits({self._state.slots_key!r})"

    async def try_slot(self) -> bool:
        """Take a lease if fewer than ``max_in_flight`` are held by every process."""
        state, availability = self._state, self._availability
        if availability.should_try():
            token = new_token()
            loop_state = self._loop_state()
            try:
                granted = await loop_state.scripts.take_slot(
                    keys=[state.slots_key], args=[state.max_in_flight, state.lease_ms, token]
                )
            except REDIS_ERRORS as exc:
                error = availability.failed(exc)
            else:
                availability.succeeded()
                if granted:
                    state.hold(token)
                    loop_state.renewer.wake()
                return bool(granted)
        else:
            error = availability.unavailable()
        # Outside the except block: no Redis client's exception is chained to it.
        if error is not None:
            raise error
        return state.take_local()

    async def release_slot(self) -> None:
        """Give back one lease of this process (or local slot) for this login."""
        token = self._state.give_back()
        if token is None or token == LAPSED:
            return
        if token == LOCAL:
            self._state.local.release_slot()
            return
        if self._availability.down:
            return  # the lease expires by itself within a lease
        await self._remove(self._state.slots_key, token)

    async def acquire(self, key: str, limit: RateLimit, now: float) -> float:
        """Count a request in the window ``key`` shared by every process: 0 when it fits
        (counted), else the seconds until it would (see ``RedisLoginLimits.acquire``)."""
        state, availability = self._state, self._availability
        loop_state = self._loop_state()
        if loop_state.background:
            # A refund still on its way lands first: the retry of a request that never left
            # must find its count handed back.
            await asyncio.wait(set(loop_state.background))
        if availability.should_try():
            member = new_token()
            try:
                answer = await loop_state.scripts.acquire_window(
                    keys=[state.window_key(key)], args=window_args(state, limit, member, now)
                )
            except REDIS_ERRORS as exc:
                error = availability.failed(exc)
            else:
                availability.succeeded()
                wait = float(answer)
                if wait <= 0:
                    state.counted(key, now, member)
                return wait
        else:
            error = availability.unavailable()
        if error is not None:
            raise error
        wait = state.local.acquire(key, limit, now)
        if wait <= 0:
            state.counted(key, now, LOCAL)
        return wait

    def release(self, key: str, stamp: float) -> None:
        """Hand back the count made at ``stamp`` (the request never left): at once when it
        was counted locally, else by a task on the running loop (none running: not handed
        back, the conservative side)."""
        member = self._state.refund(key, stamp)
        if member is None:
            return
        if member == LOCAL:
            self._state.local.release(key, stamp)
            return
        if self._availability.down:
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        self._loop_state().spawn(self._remove(self._state.window_key(key), member))

    async def _remove(self, key: str, member: str) -> None:
        try:
            await self._loop_state().client.zrem(key, member)
        except REDIS_ERRORS as exc:
            self._availability.failed(exc)
