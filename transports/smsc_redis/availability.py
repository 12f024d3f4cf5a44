"""Whether the Redis server answered when last asked, and what to do while it does not:
fail closed (``LimiterUnavailable``) or count this process's limits locally. Once it has
failed, it is asked again only every ``retry_interval`` seconds, so that a dead or
unreachable server costs each call nothing (not a connect timeout per call). Only the
calls of clients (a slot taken, a request counted) tell it: a background renewal or a
release that fails changes nothing here.

    >>> import redis
    >>> state = Availability(RedisAddress.parse("redis://db1:6379/0"), "fail", retry_interval=5.0)
    >>> state.should_try()
    True
    >>> state.failed(redis.ConnectionError("Refused."))
    >>> state.fall_back()
    Traceback (most recent call last):
    ...
    smsc_proto.errors.LimiterUnavailable: limits: Redis at db1:6379 unreachable (ConnectionError: Refused.)
    >>> state.should_try()  # the next try is 5 s away
    False
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Literal

from smsc_proto.errors import LimiterUnavailable
from smsc_redis.address import RedisAddress

__all__ = ["Availability", "OnUnavailable"]

OnUnavailable = Literal["fail", "local"]

_log = logging.getLogger("smsc.limits")


class Availability:
    """The health of one Redis server as this process sees it; thread-safe (sync clients in
    threads and event loops share it). ``on_unavailable``: ``"fail"`` raises
    ``LimiterUnavailable``; ``"local"`` answers from this process's limits (one WARNING when
    that starts, one INFO when Redis answers again)."""

    def __init__(
        self,
        address: RedisAddress,
        on_unavailable: OnUnavailable,
        *,
        retry_interval: float,
    ) -> None:
        self.address = address
        self.on_unavailable = on_unavailable
        self.retry_interval = retry_interval
        self._lock = threading.Lock()
        self._reason: str | None = None  # None: up (as far as we know)
        self._next_try = 0.0

    @property
    def down(self) -> bool:
        """Whether the latest answer was a failure."""
        return self._reason is not None

    def should_try(self) -> bool:
        """Whether to ask Redis now: always while it answers; once per ``retry_interval``
        while it does not (the one caller that gets True probes it, the others do not wait)."""
        if self._reason is None:
            return True
        with self._lock:
            now = time.monotonic()
            if now < self._next_try:
                return False
            self._next_try = now + self.retry_interval
            return True

    def succeeded(self) -> None:
        """Redis answered: if it had not, say so once and use it again."""
        if self._reason is None:
            return
        with self._lock:
            if self._reason is None:
                return
            self._reason = None
        _log.info("%s answers again: the limits are shared through it again", self.address.where)

    def failed(self, exc: BaseException) -> None:
        """Redis did not answer (``exc`` from its client): ask it again in ``retry_interval``.
        Logs one WARNING when an outage starts; ``exc`` is kept nowhere (its message may
        quote settings)."""
        reason = self.address.describe(exc)
        with self._lock:
            starts = self._reason is None
            self._reason = reason
            self._next_try = time.monotonic() + self.retry_interval
        if starts:
            if self.on_unavailable == "local":
                _log.warning(
                    "%s; counting the limits in this process only (not shared with other "
                    "processes) until it answers; asking again every %g s",
                    reason,
                    self.retry_interval,
                )
            else:
                _log.warning("%s; calls fail (LimiterUnavailable) until it answers", reason)

    def after_fork(self) -> None:
        """In a forked child: a fresh lock (another thread of the parent may have held it)."""
        self._lock = threading.Lock()

    def fall_back(self) -> None:
        """While Redis is down: raise ``LimiterUnavailable`` when failing closed (else the
        caller counts in this process's limits). Raised outside any ``except`` block, it
        has no Redis client's exception (whose message may quote settings) chained to it."""
        if self.on_unavailable == "fail":
            raise LimiterUnavailable(self._reason or f"Redis at {self.address.where} unreachable")
