"""What this process knows of one login's limits kept in Redis, and every decision about them:
the names of its keys and the arguments of the scripts, the leases it holds (and how long),
the window counts it may hand back, and the local limits it falls back on. The sync and async
limits of the login share it (a process's leases are interchangeable) and do only the I/O;
thread-safe.

    >>> from smsc_proto.limits import LocalLimits
    >>> from smsc_redis.availability import Availability
    >>> from smsc_redis.address import RedisAddress
    >>> availability = Availability(RedisAddress.parse("redis://h:6379"), "local", retry_interval=5.0)
    >>> state = LoginState("smsc", "ab12", LocalLimits(), availability, wake=lambda: None,
    ...                    max_in_flight=2, lease=10.0, max_hold=900.0)
    >>> state.slots_key, state.window_key("balance")
    ('smsc:ab12:slots', 'smsc:ab12:w:balance')
    >>> state.granted("t1", 1), state.take_local(), state.take_local()  # 2 held: the cap
    (True, True, False)
    >>> state.give_back(), state.give_back()  # the local slot goes first; then t1, in Redis
    (None, 't1')
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from smsc_proto.limits import LocalLimits
from smsc_proto.ratelimit import RateLimit
from smsc_redis.availability import Availability

__all__ = ["MAX_REFUNDABLE", "LoginState", "new_token"]

_log = logging.getLogger("smsc.limits")

# A count made in this process's limits (Redis was down): never a token (hex).
_LOCAL = "local"
# Window counts that can be handed back; past this many, the oldest are forgotten (never
# refunded: the conservative side).
MAX_REFUNDABLE = 4096
# How long a window counted in Redis's time is kept after its latest request, beyond the
# window itself; a window of a client's own clock (whose pace Redis cannot know) is kept at
# least an hour.
_WINDOW_SLACK_MS = 1000
_OWN_CLOCK_KEEP_MS = 3_600_000


def new_token() -> str:
    """A member no other lease or count has, in any process: random (so also unique in the
    children of a fork, which share the parent's memory and counters)."""
    return secrets.token_hex(10)


class LoginState:
    """The keys of one login (``prefix``, ``digest``: ``login_digest(credentials)``), its held
    slots and refundable counts. ``availability``: the limiter's view of Redis (only
    foreground calls change it); ``wake``: called when a lease is granted (to renew it).
    ``own_clock``: the client counts its windows in a clock of its own (tests, simulations),
    so they get keys of this process alone and its times."""

    def __init__(
        self,
        prefix: str,
        digest: str,
        local: LocalLimits,
        availability: Availability,
        wake: Callable[[], None],
        *,
        max_in_flight: int,
        lease: float,
        max_hold: float,
        own_clock: bool = False,
    ) -> None:
        self.local = local
        self.availability = availability
        self._wake = wake
        self.max_in_flight = max_in_flight
        self.lease, self.lease_ms, self.max_hold = lease, round(lease * 1000), max_hold
        self.own_clock = own_clock
        self.slots_key = f"{prefix}:{digest}:slots"
        # A clock of the client's own is not Redis's: its windows are kept apart, in keys no
        # other process uses.
        clock_part = f"c:{new_token()}:" if own_clock else ""
        self._window_prefix = f"{prefix}:{digest}:{clock_part}w:"
        self.forget()

    def forget(self) -> None:
        """Hold nothing (also after a fork: what the parent held is the parent's)."""
        self._lock = threading.Lock()
        self._leases: dict[str, float] = {}  # token -> when granted (monotonic), oldest first
        self._local = 0  # slots of the local limits (taken while Redis was down)
        self._lapsed = 0  # slots whose lease is gone from Redis (nothing to give back there)
        self._counted: OrderedDict[tuple[str, float], list[str]] = OrderedDict()

    # -- slots ----------------------------------------------------------------------------

    def slot_args(self, token: str) -> list[str | int]:
        """The arguments of ``TAKE_SLOT`` for a lease named ``token``."""
        return [self.max_in_flight, self.lease_ms, token]

    def granted(self, token: str, answer: object) -> bool:
        """Redis answered ``TAKE_SLOT``: whether the lease ``token`` is held (and renewed)."""
        self.availability.succeeded()
        if not answer:
            return False
        with self._lock:
            self._leases[token] = time.monotonic()
        self._wake()
        return True

    def take_local(self) -> bool:
        """Redis cannot be used: raise ``LimiterUnavailable`` when failing closed; else take a
        slot of this process's limits if fewer than ``max_in_flight`` are held, counting the
        leases still held in Redis (they cover requests in flight)."""
        self.availability.fall_back()
        with self._lock:
            if len(self._leases) + self._local + self._lapsed >= self.max_in_flight:
                return False
            if not self.local.try_slot():
                return False
            self._local += 1
            return True

    def give_back(self) -> str | None:
        """Forget one held slot: the token to remove in Redis, or None when there is nothing
        to remove (a local slot, given back here; a lapsed lease; Redis down: the lease
        expires by itself). Every slot of the process is interchangeable: local ones go
        first, so that once Redis is back the process soon counts there only; then the
        oldest lease, so that no lease outlives the longest request held with it."""
        with self._lock:
            if self._local:
                self._local -= 1
                self.local.release_slot()
                return None
            if self._lapsed:
                self._lapsed -= 1
                return None
            if not self._leases:
                return None
            token = next(iter(self._leases))
            del self._leases[token]
        return None if self.availability.down else token

    def holding(self) -> bool:
        """Whether a lease is held in Redis (to renew)."""
        return bool(self._leases)

    def renewable(self, now: float) -> list[str]:
        """The leases to renew at ``now`` (monotonic). One held longer than ``max_hold`` is
        not: its holder is presumably gone (a client bug, a lost task), and it lapses in
        Redis within a lease (one WARNING); this process still counts it as held."""
        with self._lock:
            stale = [token for token, since in self._leases.items() if now - since > self.max_hold]
        self._lapse(
            stale,
            "held for more than max_hold=%g s (a request never given back?): no longer renewed, "
            "they lapse in Redis within %g s",
            self.max_hold,
            self.lease,
        )
        with self._lock:
            return list(self._leases)

    def lapse(self, lost: list[str]) -> None:
        """These leases were gone from Redis when renewed: this process stalled (or could not
        reach Redis) for longer than a lease, and another may have taken the slot meanwhile."""
        self._lapse(
            lost,
            "expired in Redis while held (no renewal for %g s): for a while, more than "
            "max_in_flight=%d requests may be in flight",
            self.lease,
            self.max_in_flight,
        )

    def _lapse(self, tokens: list[str], why: str, *args: object) -> None:
        # Counted here as held still (their requests may be in flight); one WARNING.
        with self._lock:
            gone = [token for token in tokens if self._leases.pop(token, None) is not None]
            self._lapsed += len(gone)
        if gone:
            _log.warning("%d lease(s) of this process " + why, len(gone), *args)

    # -- windows --------------------------------------------------------------------------

    def window_key(self, key: str) -> str:
        """The Redis key of the rate-limit window ``key`` (op id and a digest of the
        parameters: no value in clear)."""
        return self._window_prefix + key

    def window_args(self, limit: RateLimit, member: str, now: float) -> list[str | int | float]:
        """The arguments of ``ACQUIRE_WINDOW`` for a request counted at ``now``."""
        per_ms = limit.per * 1000
        if self.own_clock:
            return [limit.count, per_ms, member, repr(now * 1000), max(round(per_ms), _OWN_CLOCK_KEEP_MS)]
        return [limit.count, per_ms, member, "", round(per_ms) + _WINDOW_SLACK_MS]

    def counted(self, answer: bytes | str, key: str, now: float, member: str) -> float:
        """Redis answered ``ACQUIRE_WINDOW`` for window ``key``: 0 when the request was
        counted (as ``member``, remembered should it be handed back), else the seconds to
        wait."""
        self.availability.succeeded()
        wait = float(answer)  # the script answers a number as a string
        if wait <= 0:
            self._remember(key, now, member)
        return wait

    def count_local(self, key: str, limit: RateLimit, now: float) -> float:
        """Redis cannot be used: raise ``LimiterUnavailable`` when failing closed; else count
        the request in this process's limits (as ``acquire``)."""
        self.availability.fall_back()
        wait = self.local.acquire(key, limit, now)
        if wait <= 0:
            self._remember(key, now, _LOCAL)
        return wait

    def refund(self, key: str, stamp: float) -> tuple[str, str] | None:
        """Forget the count made in window ``key`` at ``stamp``: the Redis key and member to
        remove, or None when there is nothing to remove there (unknown, counted locally and
        handed back here, Redis down: it stays counted, the conservative side)."""
        with self._lock:
            members = self._counted.get((key, stamp))
            if not members:
                return None
            member = members.pop()
            if not members:
                del self._counted[(key, stamp)]
        if member == _LOCAL:
            self.local.release(key, stamp)
            return None
        return None if self.availability.down else (self.window_key(key), member)

    def _remember(self, key: str, stamp: float, member: str) -> None:
        with self._lock:
            members = self._counted.get((key, stamp))
            if members is None:
                members = self._counted[(key, stamp)] = []
                if len(self._counted) > MAX_REFUNDABLE:
                    self._counted.popitem(last=False)
            members.append(member)
