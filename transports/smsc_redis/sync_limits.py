"""``LoginLimits`` of one login kept in Redis, for sync clients (``RedisLimiter.login``).

    limits = RedisLimiter("redis://127.0.0.1:6379/0").login(credentials)
    if limits.try_slot():  # a lease in Redis, renewed while held
        try:
            ...  # the request
        finally:
            limits.release_slot()
    wait = limits.acquire(key, RateLimit(1), time.monotonic())  # 0: counted in Redis

Every method asks Redis once (a script or a ZREM). When Redis cannot be used: with
``on_unavailable="fail"`` ``try_slot`` and ``acquire`` raise ``LimiterUnavailable`` (nothing
is sent); with ``"local"`` they answer from this process's limits. ``release_slot`` and
``release`` never raise: a lease that cannot be given back expires by itself within a
lease, and a count that cannot be handed back stays (the conservative side).
"""

from __future__ import annotations

from smsc_proto.ratelimit import RateLimit
from smsc_redis.availability import Availability
from smsc_redis.connection import REDIS_ERRORS, SyncConnection
from smsc_redis.login_state import LAPSED, LOCAL, LoginState, new_token
from smsc_redis.renewal import RenewalThread

__all__ = ["RedisLoginLimits", "window_args"]

# How long a window counted in Redis's time is kept after its latest request, beyond the
# window itself; a window of a client's own clock (whose pace Redis cannot know) is kept at
# least an hour.
_WINDOW_SLACK_MS = 1000
_OWN_CLOCK_KEEP_MS = 3_600_000


def window_args(state: LoginState, limit: RateLimit, member: str, now: float) -> list[str | int | float]:
    """The arguments of ``ACQUIRE_WINDOW`` for a request counted at ``now``."""
    per_ms = limit.per * 1000
    if state.own_clock:
        return [limit.count, per_ms, member, repr(now * 1000), max(round(per_ms), _OWN_CLOCK_KEEP_MS)]
    return [limit.count, per_ms, member, "", round(per_ms) + _WINDOW_SLACK_MS]


class RedisLoginLimits:
    """The limits of one login kept in Redis, for sync clients in any thread; made by
    ``RedisLimiter.login`` (one per login and clock, shared by its clients).

    ``Client(credentials, hosts=[...], limiter=RedisLimiter(url))`` uses it; by hand::

        limits = limiter.login(credentials)
        limits.try_slot()  # True: a lease is held until release_slot()
    """

    def __init__(
        self,
        state: LoginState,
        connection: SyncConnection,
        availability: Availability,
        renewer: RenewalThread,
    ) -> None:
        self._state = state
        self._connection = connection
        self._availability = availability
        self._renewer = renewer

    def __repr__(self) -> str:
        return f"RedisLoginLimits({self._state.slots_key!r})"

    def try_slot(self) -> bool:
        """Take a lease if fewer than ``max_in_flight`` are held by every process."""
        state, availability = self._state, self._availability
        if availability.should_try():
            token = new_token()
            try:
                _, scripts = self._connection.get()
                granted = scripts.take_slot(
                    keys=[state.slots_key], args=[state.max_in_flight, state.lease_ms, token]
                )
            except REDIS_ERRORS as exc:
                error = availability.failed(exc)
            else:
                availability.succeeded()
                if granted:
                    state.hold(token)
                    self._renewer.wake()
                return bool(granted)
        else:
            error = availability.unavailable()
        # Raised here, outside the except block: the Redis client's exception (whose message
        # may quote its settings) is not chained to it.
        if error is not None:
            raise error
        return state.take_local()

    def release_slot(self) -> None:
        """Give back one lease of this process (or local slot) for this login."""
        token = self._state.give_back()
        if token is None or token == LAPSED:
            return
        if token == LOCAL:
            self._state.local.release_slot()
            return
        if self._availability.down:
            return  # not worth a timeout: the lease expires by itself within a lease
        try:
            client, _ = self._connection.get()
            client.zrem(self._state.slots_key, token)
        except REDIS_ERRORS as exc:
            self._availability.failed(exc)

    def acquire(self, key: str, limit: RateLimit, now: float) -> float:
        """Count a request in the window ``key`` shared by every process: 0 when it fits
        (counted), else the seconds until it would. ``now`` is the client's time: the stamp
        ``release`` names the count by (the window itself counts in Redis's time, unless
        the client has a clock of its own)."""
        state, availability = self._state, self._availability
        if availability.should_try():
            member = new_token()
            try:
                _, scripts = self._connection.get()
                answer = scripts.acquire_window(
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
        """Hand back the count made at ``stamp`` (the request never left)."""
        member = self._state.refund(key, stamp)
        if member is None:
            return
        if member == LOCAL:
            self._state.local.release(key, stamp)
            return
        if self._availability.down:
            return
        try:
            client, _ = self._connection.get()
            client.zrem(self._state.window_key(key), member)
        except REDIS_ERRORS as exc:
            self._availability.failed(exc)
