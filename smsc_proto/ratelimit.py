"""Per-minute request limits as data, and a pure limiter that enforces them before any I/O.

The API answers error 9 when an op's documented limit is exceeded (errors.md); refusing
locally saves the request, the error and the risk of an IP block (error 4). The limiter is
given the time; it reads no clock.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["RateLimit", "RateLimiter"]


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most ``count`` requests per ``per`` seconds; ``identical``: counted per distinct
    parameter set (the API's "identical requests"), else for the op as a whole."""

    count: int
    per: float = 60.0
    identical: bool = True


class RateLimiter:
    """Remembers recent requests; ``acquire`` says how long to wait (0: go now, and counted)."""

    def __init__(self) -> None:
        self._seen: dict[str, deque[float]] = {}

    @staticmethod
    def key(op_id: str, limit: RateLimit, params: Iterable[tuple[str, str]]) -> str:
        if not limit.identical:
            return op_id
        # A digest, so the limiter holds no parameter values (message texts, numbers).
        digest = hashlib.sha256(repr(sorted(params)).encode("utf-8")).hexdigest()
        return f"{op_id}:{digest}"

    def acquire(self, key: str, limit: RateLimit, now: float) -> float:
        window = self._seen.setdefault(key, deque())
        while window and window[0] <= now - limit.per:
            window.popleft()
        if len(window) >= limit.count:
            return window[0] + limit.per - now
        window.append(now)
        self._prune(now)
        return 0.0

    def _prune(self, now: float) -> None:
        # Bound memory: drop keys whose whole window has expired (at most one minute old).
        if len(self._seen) > 1024:
            for key in [k for k, w in self._seen.items() if not w or w[-1] <= now - 3600]:
                del self._seen[key]
