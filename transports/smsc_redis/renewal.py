"""Keeping the leases this process holds alive: every ``period`` seconds (a third of the
lease) their expiry is pushed forward, so that a call longer than a lease keeps its slot,
while the slots of a process that died come back within one lease. One daemon thread per
limiter renews every lease, sync and async clients' alike (an event loop that is blocked
cannot stall it), and runs only while a lease is held.

    renewer = RenewalThread(period=10 / 3, renew=renew_all, holding=any_lease_held)
    renewer.wake()  # after a lease is granted: starts the thread if it is not running
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

__all__ = ["RenewalThread"]

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
