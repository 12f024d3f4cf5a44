"""The Redis clients of a ``RedisLimiter``, made on first use: one sync client (its
connection pool shared by every thread, and by the thread renewing every lease), and one
asyncio client per event loop (an asyncio client's connections belong to the loop they were
opened in, so a loop never uses another's). Each comes with the limiter's scripts registered
on it.

    connection = SyncConnection("redis://127.0.0.1:6379/0", socket_timeout=1.0)
    connection.get().take_slot(keys=[...], args=[...])  # connects on first use
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import weakref
from dataclasses import dataclass, field
from typing import Any

import redis
import redis.asyncio
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff
from redis.commands.core import AsyncScript, Script
from redis.retry import Retry

from smsc_redis.scripts import ACQUIRE_WINDOW, RENEW_SLOTS, TAKE_SLOT

__all__ = ["REDIS_ERRORS", "AsyncConnections", "LoopState", "SyncClient", "SyncConnection"]

# What a Redis that cannot be used raises: refused, reset, timeouts, authentication, and
# answers such as READONLY (a replica after a failover), OOM or NOPERM (an ACL).
REDIS_ERRORS: tuple[type[Exception], ...] = (redis.RedisError, OSError)


def _options(socket_timeout: float, retry: Retry | AsyncRetry) -> dict[str, Any]:
    # Short timeouts, so that a Redis that does not answer costs a call a second at most.
    # One retry and no backoff: enough to reconnect once after Redis restarted (a pooled
    # connection is then dead), not enough to stall on a dead server (redis-py's default
    # retries three times with a growing pause).
    return {"socket_timeout": socket_timeout, "socket_connect_timeout": socket_timeout, "retry": retry}


@dataclass(frozen=True)
class SyncClient:
    """The sync client of a limiter and its scripts."""

    client: redis.Redis
    take_slot: Script
    renew_slots: Script
    acquire_window: Script

    def remove(self, key: str, member: str) -> None:
        """ZREM ``member`` of ``key`` (a lease, a count); a failure changes nothing (a lease
        expires by itself, a count stays: the conservative side)."""
        with contextlib.suppress(*REDIS_ERRORS):
            self.client.zrem(key, member)


class SyncConnection:
    """The ``SyncClient`` of a limiter, made once on first use (thread-safe)."""

    def __init__(self, url: str, *, socket_timeout: float) -> None:
        self._url = url
        self._socket_timeout = socket_timeout
        self.after_fork()
        self._made: SyncClient | None = None

    def get(self) -> SyncClient:
        made = self._made
        if made is None:
            with self._lock:
                if self._made is None:
                    client = redis.Redis.from_url(
                        self._url, **_options(self._socket_timeout, Retry(NoBackoff(), 1))
                    )
                    scripts = (client.register_script(s) for s in (TAKE_SLOT, RENEW_SLOTS, ACQUIRE_WINDOW))
                    self._made = SyncClient(client, *scripts)
                made = self._made
        return made

    def close(self) -> None:
        """Close the pooled connections; a later ``get`` makes a new client."""
        with self._lock:
            made, self._made = self._made, None
        if made is not None:
            made.client.close()

    def after_fork(self) -> None:
        """A fresh lock (in a forked child; redis-py renews the pool's connections itself)."""
        self._lock = threading.Lock()


@dataclass
class LoopState:
    """What a limiter keeps per event loop: its asyncio client and scripts, and the refunds
    still running, each with the key it removes from (the loop keeps only weak references to
    tasks)."""

    client: redis.asyncio.Redis
    take_slot: AsyncScript
    acquire_window: AsyncScript
    background: dict[asyncio.Task[None], str] = field(default_factory=dict)

    async def remove(self, key: str, member: str) -> None:
        """``SyncClient.remove``, awaited."""
        with contextlib.suppress(*REDIS_ERRORS):
            await self.client.zrem(key, member)

    def spawn_remove(self, key: str, member: str) -> None:
        """``remove`` in a task of the running loop, referenced until it ends."""
        task = asyncio.get_running_loop().create_task(self.remove(key, member))
        self.background[task] = key
        task.add_done_callback(self.background.pop)

    async def pending(self, key: str) -> None:
        """Wait for the removals from ``key`` still running."""
        tasks = [task for task, removing in self.background.items() if removing == key]
        if tasks:
            await asyncio.wait(tasks)


class AsyncConnections:
    """The asyncio clients of a limiter, one per event loop, each made in its loop on first
    use there."""

    def __init__(self, url: str, *, socket_timeout: float) -> None:
        self._url = url
        self._socket_timeout = socket_timeout
        self.after_fork()

    def get(self) -> LoopState:
        """The state of the running loop (made now if this is the loop's first use)."""
        loop = asyncio.get_running_loop()
        state = self._loops.get(loop)
        if state is None:
            with self._lock:
                state = self._loops.get(loop)
                if state is None:
                    # The clients of loops that have closed can no longer be used: drop them.
                    for old in [old for old in self._loops if old.is_closed()]:
                        del self._loops[old]
                    client = redis.asyncio.Redis.from_url(
                        self._url, **_options(self._socket_timeout, AsyncRetry(NoBackoff(), 1))
                    )
                    state = self._loops[loop] = LoopState(
                        client, client.register_script(TAKE_SLOT), client.register_script(ACQUIRE_WINDOW)
                    )
        return state

    async def aclose(self) -> None:
        """Wait for the running loop's refunds and close its client."""
        with self._lock:
            state = self._loops.pop(asyncio.get_running_loop(), None)
        if state is not None:
            await asyncio.gather(*state.background, return_exceptions=True)
            await state.client.aclose()

    def after_fork(self) -> None:
        """No loop yet (in a forked child: the parent's loops and connections are not ours)."""
        self._lock = threading.Lock()
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LoopState] = (
            weakref.WeakKeyDictionary()
        )
