"""What this process knows of one login's limits kept in Redis: the names of its keys, the
leases it holds, the window counts it may hand back, and the local limits it falls back on.
Shared by the sync and async limits of the login (a process's leases are interchangeable);
thread-safe.

    >>> from smsc_proto.limits import LocalLimits
    >>> state = LoginState("smsc", "ab12", LocalLimits(), max_in_flight=2, lease=10.0)
    >>> state.slots_key, state.window_key("balance")
    ('smsc:ab12:slots', 'smsc:ab12:w:balance')
    >>> state.hold(new_token()); state.take_local(), len(state.tokens())
    (True, 1)
    >>> state.give_back()  # a local slot goes back first
    'local'
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict

from smsc_proto.limits import LocalLimits

__all__ = ["LAPSED", "LOCAL", "MAX_REFUNDABLE", "LoginState", "new_token"]

# What the held list and the refund map hold besides Redis tokens (hex, so never these):
# a slot or count of this process's local limits (taken while Redis was down), and a lease
# that expired in Redis while held (nothing to give back there).
LOCAL = "local"
LAPSED = "lapsed"

# Window counts that can be handed back; past this many, the oldest are forgotten (never
# refunded: the conservative side).
MAX_REFUNDABLE = 4096


def new_token() -> str:
    """A member no other lease or count has, in any process: random (so also unique in the
    children of a fork, which share the parent's memory and counters)."""
    return secrets.token_hex(10)


class LoginState:
    """The keys of one login (``prefix``, ``digest``: ``login_digest(credentials)``), held
    leases and refundable counts. ``own_clock``: the client counts its windows in a clock of
    its own (tests, simulations), so they get keys of this process alone and its times."""

    def __init__(
        self,
        prefix: str,
        digest: str,
        local: LocalLimits,
        *,
        max_in_flight: int,
        lease: float,
        own_clock: bool = False,
    ) -> None:
        self.local = local
        self.max_in_flight = max_in_flight
        self.lease_ms = round(lease * 1000)
        self.own_clock = own_clock
        self.slots_key = f"{prefix}:{digest}:slots"
        # A clock of the client's own is not Redis's: its windows are kept apart, in keys no
        # other process uses.
        clock_part = f"c:{new_token()}:" if own_clock else ""
        self._window_prefix = f"{prefix}:{digest}:{clock_part}w:"
        self._lock = threading.Lock()
        self._held: list[str] = []
        self._counted: OrderedDict[tuple[str, float], list[str]] = OrderedDict()

    def window_key(self, key: str) -> str:
        """The Redis key of the rate-limit window ``key`` (op id and a digest of the
        parameters: no value in clear)."""
        return self._window_prefix + key

    # -- leases ---------------------------------------------------------------------------

    def hold(self, token: str) -> None:
        """Remember a lease granted in Redis."""
        with self._lock:
            self._held.append(token)

    def take_local(self) -> bool:
        """Take a slot of this process's limits (Redis is down), within ``max_in_flight``."""
        with self._lock:
            if self._held.count(LOCAL) >= self.max_in_flight or not self.local.try_slot():
                return False
            self._held.append(LOCAL)
            return True

    def give_back(self) -> str | None:
        """Forget one held slot and say which: ``LOCAL`` (give it back to the local limits),
        ``LAPSED`` (nothing to give back), a token (remove it in Redis); None when none is
        held. Every slot of the process is interchangeable: local ones go first, so that
        once Redis is back the process soon counts there only."""
        with self._lock:
            for marker in (LOCAL, LAPSED):
                if marker in self._held:
                    self._held.remove(marker)
                    return marker
            return self._held.pop() if self._held else None

    def tokens(self) -> list[str]:
        """The leases held in Redis (to renew)."""
        with self._lock:
            return [t for t in self._held if t not in (LOCAL, LAPSED)]

    def lapse(self, tokens: list[str]) -> int:
        """These leases were gone from Redis when renewed: forget them (the requests they
        cover stay counted here as held). How many were still held."""
        lapsed = 0
        with self._lock:
            for token in tokens:
                if token in self._held:
                    self._held[self._held.index(token)] = LAPSED
                    lapsed += 1
        return lapsed

    # -- window counts --------------------------------------------------------------------

    def counted(self, key: str, stamp: float, member: str) -> None:
        """Remember the count made in window ``key`` at ``stamp`` (``member`` in Redis, or
        ``LOCAL``), should it have to be handed back."""
        with self._lock:
            members = self._counted.get((key, stamp))
            if members is None:
                members = self._counted[(key, stamp)] = []
                if len(self._counted) > MAX_REFUNDABLE:
                    self._counted.popitem(last=False)
            members.append(member)

    def refund(self, key: str, stamp: float) -> str | None:
        """The count made in window ``key`` at ``stamp``, forgotten; None if unknown."""
        with self._lock:
            members = self._counted.get((key, stamp))
            if not members:
                return None
            member = members.pop()
            if not members:
                del self._counted[(key, stamp)]
            return member

    def forget(self) -> None:
        """Forget every lease and count: after a fork, they are the parent's."""
        self._lock = threading.Lock()
        self._held = []
        self._counted = OrderedDict()
