"""The journal of a bulk run: one SQLite file recording every request before it is sent and
its outcome after, so that a run killed at any point resumes without sending anyone twice.

Tables: ``batches`` (one ``send`` request: its number, the message id it gives the
service, its state, the answer's id, parts, cost, or the error) and ``rows`` (each input
message by its position: the batch that carries it, its phone and a checksum of its text
and options). A batch is written, with its rows, in the same transaction as it is marked
``sending``, and that transaction is durable (``synchronous=FULL``) before the request
leaves. One run at a time holds the journal (an exclusive lock, released when it closes).
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from types import TracebackType

import msgspec

from smsc_proto.bulk import Batch, BulkFailure, BulkMessage, BulkReport, Outcome, State

__all__ = ["Journal", "JournalInUse", "JournalMismatch"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS batches (
    number INTEGER PRIMARY KEY,
    message_id TEXT,
    state TEXT NOT NULL,
    first_phone TEXT NOT NULL,
    last_phone TEXT NOT NULL,
    started REAL NOT NULL,
    finished REAL,
    sms_id TEXT,
    cnt INTEGER,
    cost TEXT,
    code INTEGER,
    reason TEXT
);
CREATE TABLE IF NOT EXISTS rows (
    row INTEGER PRIMARY KEY, batch INTEGER NOT NULL, phone TEXT NOT NULL, digest INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS rows_by_batch ON rows (batch);
"""
_VERSION = "2"
# Rows read at once when the input is matched against the journal.
_CHUNK = 4096


class JournalMismatch(ValueError):
    """The input is not the one the journal was written for (a recorded row holds another
    recipient or text): resuming would skip or repeat the wrong people."""


class JournalInUse(ValueError):
    """Another run holds the journal: two runs of one journal could send twice."""


class Journal:
    """A bulk run's journal at ``path`` (created if missing). One thread uses it at a time.
    ``durable=False`` writes without waiting for the disk (a crash of the process loses
    nothing; a power cut may lose the last records, and so send them twice)."""

    def __init__(self, path: str | Path, *, durable: bool = True) -> None:
        self.path = Path(path)
        # Autocommit: every transaction is an explicit BEGIN ... COMMIT below.
        self._db = sqlite3.connect(self.path, isolation_level=None, timeout=0.5)
        try:
            # Held from the first write to close: another run (or process) cannot open it.
            self._db.execute("PRAGMA locking_mode=EXCLUSIVE")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("BEGIN EXCLUSIVE")
            self._db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            self._db.close()
            if "locked" not in str(exc):
                raise
            raise JournalInUse(f"{self.path}: another run is using this journal") from None
        self._db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
        self._db.executescript(_SCHEMA)
        version = self._meta("version")
        if version is None:
            with self.transaction():
                self._db.execute("INSERT INTO meta VALUES ('version', ?)", (_VERSION,))
                # Message ids of this journal: distinct from any other run's, so a status
                # check finds this run's message and no other.
                self._db.execute("INSERT INTO meta VALUES ('run', ?)", (secrets.token_hex(4),))
        elif version != _VERSION:
            raise JournalMismatch(f"{self.path}: a journal of version {version}, this SDK writes {_VERSION}")
        self.run = self._meta("run") or ""

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r})"

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------

    def record(self, batches: Iterable[Batch]) -> list[Batch]:
        """Write ``batches`` as ``sending`` with their rows, in one durable transaction; the
        batches numbered, with their message ids."""
        with self.transaction():
            return self._record(batches)

    def _record(self, batches: Iterable[Batch]) -> list[Batch]:
        now = time.time()
        recorded = []
        number = self._next_number()
        for batch in batches:
            numbered = _numbered(batch, number, self.run)
            self._db.execute(
                "INSERT INTO batches (number, message_id, state, first_phone, last_phone, started)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (number, numbered.message_id, State.SENDING.value, batch.phones[0], batch.phones[-1], now),
            )
            self._db.executemany(
                "INSERT INTO rows VALUES (?, ?, ?, ?)",
                zip(batch.rows, (number,) * len(batch.rows), batch.phones, batch.digests, strict=True),
            )
            recorded.append(numbered)
            number += 1
        return recorded

    def refused(self, row: int, message: BulkMessage, reason: str) -> None:
        """Record a message refused before any request (an invalid number): failed."""
        with self.transaction():
            number = self._next_number()
            self._db.execute(
                "INSERT INTO batches (number, state, first_phone, last_phone, started, reason)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (number, State.FAILED.value, message.phone, message.phone, time.time(), reason),
            )
            self._db.execute(
                "INSERT INTO rows VALUES (?, ?, ?, ?)", (row, number, message.phone, message.digest())
            )

    def finish(self, outcomes: Iterable[tuple[int, Outcome]]) -> None:
        """Record the outcome of each batch (by number), in one transaction; a batch
        whose outcome is known already keeps it."""
        now = time.time()
        with self.transaction():
            self._db.executemany(
                "UPDATE batches SET state = ?, finished = ?, sms_id = ?, cnt = ?, cost = ?, code = ?,"
                " reason = ? WHERE number = ? AND state IN ('sending', 'unknown')",
                (
                    (
                        o.state.value,
                        now,
                        o.sms_id,
                        o.cnt,
                        None if o.cost is None else str(o.cost),
                        o.code,
                        o.reason,
                        number,
                    )
                    for number, o in outcomes
                ),
            )

    def forget_not_sent(self) -> int:
        """Drop the rows of the batches that provably never left: the input's next reading
        plans those messages again. The batches stay (``replanned``), so that no number, and
        no message id, is ever given twice. The number of recipients dropped."""
        with self.transaction():
            dropped = self._db.execute(
                "DELETE FROM rows WHERE batch IN (SELECT number FROM batches WHERE state = ?)",
                (State.NOT_SENT.value,),
            ).rowcount
            self._db.execute(
                "UPDATE batches SET state = 'replanned' WHERE state = ?", (State.NOT_SENT.value,)
            )
        return dropped

    def split(self, number: int) -> None:
        """Drop batch ``number`` (refused whole, never sent) and its rows: its messages go
        again one by one (recorded when they are sent; should the run die first, the next
        one plans them again)."""
        with self.transaction():
            self._db.execute("DELETE FROM rows WHERE batch = ?", (number,))
            self._db.execute("UPDATE batches SET state = 'replanned' WHERE number = ?", (number,))

    # -- reading ---------------------------------------------------------------------------

    def to_check(self) -> list[tuple[Batch, float | None]]:
        """The batches whose outcome is not known, as much of each as ``Batch.statuses``
        needs, with the time its request last could have left: when its call ended
        (``unknown``), or None (``sending``: a run died with it in flight)."""
        found = self._db.execute(
            "SELECT number, message_id, first_phone, last_phone, state, finished FROM batches"
            " WHERE state IN (?, ?) ORDER BY number",
            (State.SENDING.value, State.UNKNOWN.value),
        ).fetchall()
        return [
            (
                Batch((), (first, last), "", (), number, message_id),
                finished if state == State.UNKNOWN.value else None,
            )
            for number, message_id, first, last, state, finished in found
        ]

    def recorded_rows(self) -> Iterator[tuple[int, str, int]]:
        """Every recorded (row, phone, digest), by row, as they are when the reading starts."""
        last = -1
        (top,) = self._db.execute("SELECT coalesce(max(row), -1) FROM rows").fetchone()
        while last < top:
            chunk = self._db.execute(
                "SELECT row, phone, digest FROM rows WHERE row > ? AND row <= ? ORDER BY row LIMIT ?",
                (last, top, _CHUNK),
            ).fetchall()
            if not chunk:
                return
            yield from chunk
            last = chunk[-1][0]

    def unknown(self) -> Iterator[tuple[int, str]]:
        """The recipients (row, phone) whose messages may or may not have been sent."""
        return iter(
            self._db.execute(
                "SELECT r.row, r.phone FROM rows r JOIN batches b ON r.batch = b.number"
                " WHERE b.state IN (?, ?) ORDER BY r.row",
                (State.UNKNOWN.value, State.SENDING.value),
            )
        )

    def report(self, halted: str | None = None) -> BulkReport:
        """The totals of every run of this journal."""
        counts = dict(
            self._db.execute(
                "SELECT b.state, count(*) FROM rows r JOIN batches b ON r.batch = b.number GROUP BY b.state"
            ).fetchall()
        )
        cost = Decimal(0)
        cost_unknown = requests = 0
        for (value,) in self._db.execute("SELECT cost FROM batches WHERE state = ?", (State.SENT.value,)):
            requests += 1
            if value is None:
                cost_unknown += 1
            else:
                cost += Decimal(value)
        failures = tuple(
            BulkFailure(code, reason or "", recipients)
            for code, reason, recipients in self._db.execute(
                "SELECT b.code, b.reason, count(*) FROM rows r JOIN batches b ON r.batch = b.number"
                " WHERE b.state = ? GROUP BY b.code, b.reason ORDER BY count(*) DESC",
                (State.FAILED.value,),
            )
        )
        return BulkReport(
            sent=counts.get(State.SENT.value, 0),
            failed=counts.get(State.FAILED.value, 0),
            not_sent=counts.get(State.NOT_SENT.value, 0),
            unknown=counts.get(State.UNKNOWN.value, 0) + counts.get(State.SENDING.value, 0),
            cost=cost,
            cost_unknown=cost_unknown,
            requests=requests,
            failures=failures,
            halted=halted,
        )

    # -- SQLite ------------------------------------------------------------------------------

    def _meta(self, key: str) -> str | None:
        found = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if found is None else str(found[0])

    def _next_number(self) -> int:
        (top,) = self._db.execute("SELECT coalesce(max(number), 0) FROM batches").fetchone()
        return int(top) + 1

    def transaction(self) -> _Transaction:
        """One transaction for every write of the block (one wait for the disk): the writes
        of a method called inside it join it."""
        return _Transaction(self._db)


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK when the block raises; inside another, part
    of it."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._outer = False

    def __enter__(self) -> None:
        self._outer = not self._db.in_transaction
        if self._outer:
            self._db.execute("BEGIN IMMEDIATE")

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._outer:
            self._db.execute("COMMIT" if exc_type is None else "ROLLBACK")


def _numbered(batch: Batch, number: int, run: str) -> Batch:
    # At most 40 characters of [A-Za-z0-9.-_], as the API takes a client's message id.
    return msgspec.structs.replace(batch, number=number, message_id=f"{run}-{number}")
