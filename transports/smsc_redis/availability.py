"""Whether the Redis server answered when last asked, and what to do while it does not:
fail closed (``LimiterUnavailable``) or count this process's limits locally. Once it has
failed, it is asked again only every ``retry_interval`` seconds, so that a dead or
unreachable server costs each call nothing (not a connect timeout per call).

    >>> import redis
    >>> state = Availability(RedisAddress.parse("redis://10.0.0.7:6379/0"), "fail", retry_interval=5.0)
    >>> state.should_try()
    True
    >>> error = state.failed(redis.ConnectionError("Connection refused."))
    >>> error.reason
    'Redis at 10.0.0.7:6379 unreachable (ConnectionError: Connection refused.)'
    >>> state.should_try()  # the next try is 5 s away
    False
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
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
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.address = address
        self.on_unavailable = on_unavailable
        self.retry_interval = retry_interval
        self._clock = clock
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
            now = self._clock()
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

    def failed(self, exc: BaseException) -> LimiterUnavailable | None:
        """Redis did not answer (``exc`` from its client): the error to raise when failing
        closed, None when this process's limits are to answer instead. Logs one WARNING
        when an outage starts; ``exc`` is kept nowhere (its message may quote settings)."""
        reason = self.address.describe(exc)
        with self._lock:
            starts = self._reason is None
            self._reason = reason
            self._next_try = self._clock() + self.retry_interval
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
        return self.unavailable()

    def after_fork(self) -> None:
        """In a forked child: a fresh lock (another thread of the parent may have held it)."""
        self._lock = threading.Lock()

    def unavailable(self) -> LimiterUnavailable | None:
        """While Redis is down: the error to raise when failing closed; None with the local
        fallback."""
        if self.on_unavailable == "local":
            return None
        return LimiterUnavailable(self._reason or f"Redis at {self.address.where} unreachable")
