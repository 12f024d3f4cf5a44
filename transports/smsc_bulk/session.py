"""One run of a bulk send over its journal: what to check, what to send next, what each
answer means. The sync and async loops (``run.py``, ``run_async.py``) are its I/O.

A run:
1. ``checks()``: the batches of earlier runs whose outcome is not known are asked about
   with ``status`` (once ``settle`` seconds have passed since they were sent), and
   ``checked`` records what that says: sent, never arrived, or still unknown.
2. The batches that provably never left are dropped from the journal, so that their
   messages are planned again.
3. ``advance(answers, n)`` records the outcomes of the batches answered, reads the input
   on, skipping every message the journal already holds (each checked against its recorded
   phone), and returns up to ``n`` batches, recorded as ``sending`` before they are
   returned: one transaction a turn of the sending loop.
4. ``checks()`` again for this run's unknown outcomes, then ``report()``.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from smsc_bulk.journal import Journal, JournalMismatch
from smsc_proto.bulk import Batch, BulkMessage, BulkPlanner, BulkReport, check_outcome, send_outcome
from smsc_proto.errors import InvalidParameter, SmscProtoError
from smsc_proto.ops.send import SendResult
from smsc_proto.ops.status import StatusResult

__all__ = ["DEFAULT_SETTLE", "BulkSession"]

# Seconds after a request left before "the service has no such message" is believed: a
# request the dead process wrote may still be on its way or being processed.
DEFAULT_SETTLE = 30.0
_log = logging.getLogger("smsc.bulk")
# What a batch's `send` gave: its answer, or the error the call raised.
Answer = SendResult | SmscProtoError


class BulkSession:
    """The logic of one run (see the module); ``now`` reads wall-clock time (the journal's)."""

    def __init__(
        self,
        journal: Journal,
        messages: Iterable[BulkMessage],
        planner: BulkPlanner,
        *,
        settle: float = DEFAULT_SETTLE,
        now: Any = time.time,
    ) -> None:
        if not settle >= 0:
            raise ValueError(f"settle={settle!r}: must be a number of seconds, at least 0")
        self.journal = journal
        self.planner = planner
        self.settle = settle
        self.halted: str | None = None
        self._messages = messages
        self._now = now
        self._fresh: Iterator[tuple[int, BulkMessage]] | None = None
        self._ready: deque[Batch] = deque()
        self._split: deque[Batch] = deque()
        self._ended = False

    # -- outcomes not known ----------------------------------------------------------------

    def checks(self) -> tuple[float, list[Batch]]:
        """The batches to ask ``status`` about, and the seconds to wait first (``settle``)."""
        pending = self.journal.to_check()
        if not pending:
            return 0.0, []
        wait = max(started + self.settle for _, started in pending) - self._now()
        return max(wait, 0.0), [batch for batch, _ in pending]

    def checked(self, batch: Batch, result: StatusResult | SmscProtoError) -> None:
        outcome = check_outcome(result)
        if outcome is not None:
            self.journal.finish([(batch.number, outcome)])
        else:
            reason = getattr(result, "reason", None) or str(result)
            _log.warning("batch %d: outcome still unknown, the status check failed: %s", batch.number, reason)

    # -- sending -----------------------------------------------------------------------------

    def advance(self, answers: Iterable[tuple[Batch, Answer]], count: int) -> list[Batch]:
        """Record the ``answers`` (or errors) of sent batches, then plan up to ``count``
        batches to send now, recorded as ``sending``: all in one transaction. [] at the end
        of the input, or once the run has halted (an error of the account: no money, bad
        credentials, a blocked IP).

        A request of several recipients refused for one number (errors 7, 8: nothing was
        sent) goes again as a request per recipient, so that only that number fails."""
        with self.journal.transaction():
            self._finish(answers)
            return self._take(count)

    def _finish(self, answers: Iterable[tuple[Batch, Answer]]) -> None:
        outcomes = []
        for batch, answer in answers:
            outcome = send_outcome(answer)
            if outcome.splits and len(batch.phones) > 1:
                alone = [
                    Batch((row,), (phone,), batch.text, batch.options)
                    for row, phone in zip(batch.rows, batch.phones, strict=True)
                ]
                self._split.extend(self.journal.split(batch.number, alone))
                continue
            outcomes.append((batch.number, outcome))
            if outcome.halts and self.halted is None:
                self.halted = f"error {outcome.code}: {outcome.reason}"
                _log.warning("bulk run halted: %s", self.halted)
        self.journal.finish(outcomes)

    def _take(self, count: int) -> list[Batch]:
        if self.halted is not None:
            return []
        if self._split:  # recorded when they were split
            return [self._split.popleft() for _ in range(min(count, len(self._split)))]
        if self._fresh is None:
            self.journal.forget_not_sent()
            self._fresh = self._unrecorded()
        while len(self._ready) < count and not self._ended:
            row_message = next(self._fresh, None)
            if row_message is None:
                self._ready.extend(self.planner.flush())
                self._ended = True
                break
            row, message = row_message
            try:
                self._ready.extend(self.planner.add(row, message))
            except InvalidParameter as exc:
                self.journal.refused(row, message.phone, f"{exc.field}: {exc.reason}")
        batches = [self._ready.popleft() for _ in range(min(count, len(self._ready)))]
        return self.journal.record(batches) if batches else []

    def report(self) -> BulkReport:
        return self.journal.report(self.halted)

    def _unrecorded(self) -> Iterator[tuple[int, BulkMessage]]:
        """The input's messages the journal does not hold, by position."""
        recorded = self.journal.recorded_rows()
        held = next(recorded, None)
        for row, message in enumerate(self._messages):
            while held is not None and held[0] < row:
                held = next(recorded, None)
            if held is not None and held[0] == row:
                if held[1] != message.phone:
                    raise JournalMismatch(
                        f"{self.journal.path}: row {row} of the input is not the recipient the journal"
                        " recorded there: resume with the input it was written for, or a new journal"
                    )
                continue
            yield row, message
