"""Per-minute request limits as data, and a pure limiter that enforces them before any I/O.

The API answers error 9 when an op's documented limit is exceeded (errors.md); refusing
locally saves the request, the error and the risk of an IP block (error 4). The limiter is
given the time; it reads no clock.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

import msgspec

__all__ = ["RateLimit", "RateLimiter"]

_CREDENTIALS = frozenset({"login", "psw", "apikey"})
# Keys held before expired ones are first looked for.
_PRUNE_FROM = 1024


class RateLimit(msgspec.Struct, frozen=True):
    """At most ``count`` requests per ``per`` seconds; ``identical``: counted per distinct
    parameter set (the API's "identical requests"), else for the op as a whole. ``group``:
    ops counted together (documents.php: one invoice or act request of any kind a minute)."""

    count: int
    per: float = 60.0
    identical: bool = True
    group: str | None = None


class RateLimiter:
    """Remembers recent requests; ``acquire`` says how long to wait (0: go now, and counted)."""

    def __init__(self) -> None:
        self._seen: dict[str, deque[float]] = {}
        self._longest = 0.0
        self._prune_at = _PRUNE_FROM

    @staticmethod
    def key(op_id: str, limit: RateLimit, fields: Iterable[tuple[str, str]]) -> str:
        """The window a request counts in: the op's (or its group's), or with ``identical``
        one per distinct set of parameters. ``fields`` is the form; credentials are left out."""
        name = limit.group or op_id
        if not limit.identical:
            return name
        import hashlib

        params = sorted((k, v) for k, v in fields if k not in _CREDENTIALS)
        # A digest, so the limiter holds no parameter values (message texts, numbers).
        digest = hashlib.sha256(repr(params).encode("utf-8")).hexdigest()
        return f"{name}:{digest}"

    def acquire(self, key: str, limit: RateLimit, now: float) -> float:
        window = self._seen.setdefault(key, deque())
        while window and window[0] <= now - limit.per:
            window.popleft()
        if len(window) >= limit.count:
            return window[0] + limit.per - now
        window.append(now)
        self._longest = max(self._longest, limit.per)
        self._prune(now)
        return 0.0

    def release(self, key: str, stamp: float) -> None:
        """Forget one request counted at ``stamp`` (it never reached the server)."""
        window = self._seen.get(key)
        if window is not None and stamp in window:
            window.remove(stamp)

    def _prune(self, now: float) -> None:
        # Bound memory: drop the keys whose windows have all expired, once the keys have
        # doubled since the last look (every key distinct, as in a bulk send, would
        # otherwise make each request scan them all: quadratic).
        if len(self._seen) >= self._prune_at:
            for key in [k for k, w in self._seen.items() if not w or w[-1] <= now - self._longest]:
                del self._seen[key]
            self._prune_at = max(_PRUNE_FROM, 2 * len(self._seen))
