"""Keeping the leases this process holds alive: every ``period`` seconds (a third of the
lease) their expiry is pushed forward, so that a call longer than a lease keeps its slot,
while the slots of a process that died come back within one lease. The work runs only while
a lease is held: in a daemon thread for sync clients, in a task of the event loop for async
ones.

    renewer = RenewalThread(period=10 / 3, renew=renew_all, holding=any_lease_held)
    renewer.wake()  # after a lease is granted: starts the thread if it is not running
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable

__all__ = ["RenewalTask", "RenewalThread"]

_log = logging.getLogger("smsc.limits")


class RenewalThread:
    """Calls ``renew()`` every ``period`` seconds in a daemon thread while ``holding()``;
    the thread ends when nothing is held and ``wake`` starts it again.

    >>> import threading
    >>> renewed = threading.Event()
    >>> renewer = RenewalThread(0.01, renew=renewed.set, holding=lambda: not renewed.is_set())
    >>> renewer.wake()
    >>> renewed.wait(5)  # renewed once; then nothing is held and the thread ends
    True
    >>> renewer.stop()
    """

    def __init__(self, period: float, renew: Callable[[], object], holding: Callable[[], bool]) -> None:
        self.period = period
        self._renew = renew
        self._holding = holding
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        """A lease was granted: make sure it will be renewed."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="smsc-redis-leases", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        """End the thread (its leases then expire unless released)."""
        with self._lock:
            thread, self._thread = self._thread, None
            stop, self._stop = self._stop, threading.Event()
        stop.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(self.period + 5)

    def after_fork(self) -> None:
        """In a forked child: the parent's thread does not exist here."""
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = None

    def _run(self) -> None:
        stop = self._stop
        while not stop.wait(self.period):
            try:
                self._renew()
            except Exception:  # never end the thread: the next round may succeed
                _log.exception("renewing the leases of this process failed")
            # Decided under the lock ``wake`` takes: a lease granted before this check is
            # seen here; one granted after it finds no thread and starts one.
            with self._lock:
                if not self._holding():
                    if self._thread is threading.current_thread():
                        self._thread = None
                    return


class RenewalTask:
    """``RenewalThread`` for one event loop: a task that awaits ``renew()`` every ``period``
    seconds while ``holding()``. The loop keeps only a weak reference to a task: this
    object holds the strong one.

    >>> import asyncio
    >>> async def demo() -> int:
    ...     rounds = []
    ...     async def renew() -> None:
    ...         rounds.append(1)
    ...     renewer = RenewalTask(0.01, renew, holding=lambda: len(rounds) < 3)
    ...     renewer.wake()
    ...     while len(rounds) < 3:
    ...         await asyncio.sleep(0.01)
    ...     await asyncio.sleep(0.05)  # nothing held after the third: no fourth round
    ...     return len(rounds)
    >>> asyncio.run(demo())
    3
    """

    def __init__(
        self, period: float, renew: Callable[[], Awaitable[object]], holding: Callable[[], bool]
    ) -> None:
        self.period = period
        self._renew = renew
        self._holding = holding
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """A lease was granted (in this task's loop): make sure it will be renewed."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="smsc-redis-leases")

    async def stop(self) -> None:
        """Cancel the task and wait for it to end."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                current = asyncio.current_task()
                if current is not None and current.cancelling():
                    raise  # the caller itself is being cancelled

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.period)
            try:
                await self._renew()
            except Exception:  # never end the task: the next round may succeed
                _log.exception("renewing the leases of this process failed")
            # No await between this check and the return: a lease granted in this loop
            # after it finds the task done and starts another.
            if not self._holding():
                self._task = None
                return
