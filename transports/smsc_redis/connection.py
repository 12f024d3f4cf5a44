"""The Redis clients of a ``RedisLimiter``, made on first use: one sync client (its
connection pool shared by every thread), and one asyncio client per event loop (an asyncio
client's connections belong to the loop they were opened in, so a loop never uses
another's). Each comes with the limiter's scripts registered on it.

    connection = SyncConnection("redis://127.0.0.1:6379/0", socket_timeout=1.0)
    client, scripts = connection.get()  # no connection is opened before this
    scripts.take_slot(keys=[...], args=[...])
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import redis
import redis.asyncio
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff
from redis.commands.core import AsyncScript, Script
from redis.retry import Retry

from smsc_redis.renewal import RenewalTask
from smsc_redis.scripts import ACQUIRE_WINDOW, RENEW_SLOTS, TAKE_SLOT

__all__ = ["REDIS_ERRORS", "AsyncConnections", "AsyncScripts", "LoopState", "SyncConnection", "SyncScripts"]

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
class SyncScripts:
    """The limiter's scripts registered on the sync client."""

    take_slot: Script
    renew_slots: Script
    acquire_window: Script


@dataclass(frozen=True)
class AsyncScripts:
    """The limiter's scripts registered on an asyncio client."""

    take_slot: AsyncScript
    renew_slots: AsyncScript
    acquire_window: AsyncScript


class SyncConnection:
    """The sync client of a limiter, made once on first use (thread-safe)."""

    def __init__(self, url: str, *, socket_timeout: float) -> None:
        self._url = url
        self._socket_timeout = socket_timeout
        self._lock = threading.Lock()
        self._made: tuple[redis.Redis, SyncScripts] | None = None

    def get(self) -> tuple[redis.Redis, SyncScripts]:
        """The client and its scripts (made now if this is the first use)."""
        made = self._made
        if made is None:
            with self._lock:
                made = self._made
                if made is None:
                    client = redis.Redis.from_url(
                        self._url, **_options(self._socket_timeout, Retry(NoBackoff(), 1))
                    )
                    scripts = SyncScripts(
                        client.register_script(TAKE_SLOT),
                        client.register_script(RENEW_SLOTS),
                        client.register_script(ACQUIRE_WINDOW),
                    )
                    made = self._made = (client, scripts)
        return made

    def close(self) -> None:
        """Close the pooled connections; a later ``get`` makes a new client."""
        with self._lock:
            made, self._made = self._made, None
        if made is not None:
            made[0].close()

    def after_fork(self) -> None:
        """In a forked child: a fresh lock (redis-py renews the pool's connections itself)."""
        self._lock = threading.Lock()


@dataclass
class LoopState:
    """What a limiter keeps per event loop: its asyncio client and scripts, the task that
    renews the leases taken in it, and the refunds still running (the loop keeps only weak
    references to tasks)."""

    client: redis.asyncio.Redis
    scripts: AsyncScripts
    renewer: RenewalTask
    background: set[asyncio.Task[None]] = field(default_factory=set)

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run the coroutine ``work`` in the background, referenced until it ends."""
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(work)
        self.background.add(task)
        task.add_done_callback(self.background.discard)


class AsyncConnections:
    """The asyncio clients of a limiter, one per event loop, each made in its loop on first
    use there. ``renewal`` makes the renewal task of a loop from its scripts."""

    def __init__(
        self,
        url: str,
        *,
        socket_timeout: float,
        renewal: Callable[[AsyncScripts], RenewalTask],
    ) -> None:
        self._url = url
        self._socket_timeout = socket_timeout
        self._renewal = renewal
        self._lock = threading.Lock()
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LoopState] = (
            weakref.WeakKeyDictionary()
        )

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
                    scripts = AsyncScripts(
                        client.register_script(TAKE_SLOT),
                        client.register_script(RENEW_SLOTS),
                        client.register_script(ACQUIRE_WINDOW),
                    )
                    state = self._loops[loop] = LoopState(client, scripts, self._renewal(scripts))
        return state

    async def aclose(self) -> None:
        """Stop the running loop's renewal task, wait for its refunds and close its client."""
        loop = asyncio.get_running_loop()
        with self._lock:
            state = self._loops.pop(loop, None)
        if state is None:
            return
        await state.renewer.stop()
        if state.background:
            await asyncio.gather(*state.background, return_exceptions=True)
        await state.client.aclose()

    def after_fork(self) -> None:
        """In a forked child: the parent's loops and their connections are not ours."""
        self._lock = threading.Lock()
        self._loops = weakref.WeakKeyDictionary()
