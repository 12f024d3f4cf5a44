"""One run of a bulk send over its journal: what to check, what to send next, what each
answer means. The sync and async loops (``run.py``, ``run_async.py``) are its I/O.

A run:
1. ``checks()``: the batches whose outcome is not known are asked about with ``status``
   (``settle`` seconds after their request last could have left), and ``checked`` records
   what that says: sent, never arrived, or still unknown.
2. The batches that provably never left are dropped from the journal, so that their
   messages are planned again.
3. ``advance(answers, n)`` records the outcomes of the batches answered, reads the input
   on, skipping every message the journal already holds (each checked against its recorded
   phone and text), and returns up to ``n`` batches, recorded as ``sending`` before they
   are returned: one transaction a turn of the sending loop. ``keep(answers)`` records
   answers in hand when the loop stops on an error.
4. ``checks()`` again for this run's unknown outcomes, then ``report()``.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from smsc_bulk.journal import Journal, JournalMismatch
from smsc_proto.bulk import Batch, BulkMessage, BulkPlanner, BulkReport, check_outcome, send_outcome
from smsc_proto.errors import InvalidParameter, SmscProtoError
from smsc_proto.limits import MAX_IN_FLIGHT
from smsc_proto.ops.send import SendResult
from smsc_proto.ops.status import StatusResult

__all__ = ["DEFAULT_SETTLE", "Answer", "BulkSession", "InFlight", "open_session"]

# Seconds after a request last could have left before "the service has no such message"
# is believed: a request a dead process wrote may still be on its way or being processed.
DEFAULT_SETTLE = 30.0
_log = logging.getLogger("smsc.bulk")
# What a batch's `send` gave: its answer, or the error the call raised.
Answer = SendResult | SmscProtoError


class _Handle(Protocol):
    """A request in flight: a ``concurrent.futures.Future`` or an ``asyncio.Task``."""

    def done(self) -> bool: ...

    def cancelled(self) -> bool: ...

    def exception(self) -> BaseException | None: ...

    def result(self) -> Answer: ...


H = TypeVar("H", bound=_Handle)


class InFlight(Generic[H]):
    """The requests of a run in flight (``batches``: handle -> batch) and the ``answers``
    in hand that the journal has not recorded yet."""

    def __init__(self) -> None:
        self.batches: dict[H, Batch] = {}
        self.answers: list[tuple[Batch, Answer]] = []

    def landed(self, done: Iterable[H]) -> None:
        """Move the answers of the ``done`` requests to ``answers``. One that raised (a
        bug: ``_call`` turns every SDK error into an answer) is raised with every other
        left in ``batches``, for ``unrecorded``."""
        done = list(done)
        answers = [(self.batches[handle], handle.result()) for handle in done]
        for handle in done:
            del self.batches[handle]
        self.answers += answers

    def unrecorded(self) -> list[tuple[Batch, Answer]]:
        """Every answer in hand, those of finished requests included: what the journal must
        record before the run stops on an error."""
        finished = [
            (batch, handle.result())
            for handle, batch in self.batches.items()
            if handle.done() and not handle.cancelled() and handle.exception() is None
        ]
        return [*self.answers, *finished]


class BulkSession:
    """The logic of one run (see the module). ``now`` reads wall-clock time (the
    journal's); ``progress(n)`` is told of ``n`` more recipients whose outcome is known."""

    def __init__(
        self,
        journal: Journal,
        messages: Iterable[BulkMessage],
        planner: BulkPlanner,
        *,
        settle: float = DEFAULT_SETTLE,
        progress: Callable[[int], Any] | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        if not settle >= 0:
            raise ValueError(f"settle={settle!r}: must be a number of seconds, at least 0")
        self.journal = journal
        self.planner = planner
        self.settle = settle
        self.halted: str | None = None
        self._messages = messages
        self._progress = progress
        self._now = now
        self._started = now()
        self._fresh: Iterator[tuple[int, BulkMessage]] | None = None
        self._ready: deque[Batch] = deque()
        self._ended = False

    # -- outcomes not known ----------------------------------------------------------------

    def checks(self) -> tuple[float, list[Batch]]:
        """The batches to ask ``status`` about, and the seconds to wait first: ``settle``
        after each request last could have left (when its call ended; for a run that died
        with it in flight, when this run started: the dead one sent nothing after)."""
        pending = self.journal.to_check()
        if not pending:
            return 0.0, []
        last_left = max(self._started if ended is None else ended for _, ended in pending)
        return max(last_left + self.settle - self._now(), 0.0), [batch for batch, _ in pending]

    def checked(self, batch: Batch, results: Sequence[StatusResult | SmscProtoError]) -> None:
        outcome = check_outcome(results)
        if outcome is not None:
            self.journal.finish([(batch.number, outcome)])
            return
        failed = [str(r) for r in results if not isinstance(r, StatusResult)]
        why = f"the status check failed: {failed[0]}" if failed else "its recipients' statuses disagree"
        _log.warning("batch %d: outcome still unknown, %s", batch.number, why)

    # -- sending -----------------------------------------------------------------------------

    def advance(self, flight: InFlight[Any], count: int) -> list[Batch]:
        """Record the answers (or errors) in ``flight``, then plan up to ``count`` batches to
        send now, recorded as ``sending``: all in one transaction. [] at the end of the
        input, or once the run has halted (``Outcome.halts``: the account refused, or
        nothing can leave).

        A request of several recipients refused for one number (errors 7, 8: nothing was
        sent) goes again as a request per recipient, so that only that number fails."""
        with self.journal.transaction():
            self._finish(flight.answers)
            batches = self._take(count)
        flight.answers = []
        return batches

    def keep(self, answers: Iterable[tuple[Batch, Answer]]) -> None:
        """Record answers in hand when the sending loop stops early (an error, Ctrl-C)."""
        with self.journal.transaction():
            self._finish(answers)

    def report(self) -> BulkReport:
        return self.journal.report(self.halted)

    def _finish(self, answers: Iterable[tuple[Batch, Answer]]) -> None:
        outcomes = []
        settled = 0
        for batch, answer in answers:
            outcome = send_outcome(answer)
            if outcome.splits and len(batch.phones) > 1:
                self.journal.split(batch.number)
                self._ready.extendleft(
                    Batch((row,), (phone,), batch.text, batch.options, digests=(digest,))
                    for row, phone, digest in zip(batch.rows, batch.phones, batch.digests, strict=True)
                )
                continue
            outcomes.append((batch.number, outcome))
            settled += len(batch.phones)
            if outcome.halts and self.halted is None:
                self.halted = f"error {outcome.code}: {outcome.reason}" if outcome.code else outcome.reason
                _log.warning("bulk run halted: %s", self.halted)
        self.journal.finish(outcomes)
        if self._progress is not None and settled:
            self._progress(settled)

    def _take(self, count: int) -> list[Batch]:
        if self.halted is not None:
            return []
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
                self.journal.refused(row, message, f"{exc.field}: {exc.reason}")
        batches = [self._ready.popleft() for _ in range(min(count, len(self._ready)))]
        return self.journal.record(batches) if batches else []

    def _unrecorded(self) -> Iterator[tuple[int, BulkMessage]]:
        """The input's messages the journal does not hold, by position."""
        recorded = self.journal.recorded_rows()
        held = next(recorded, None)
        for row, message in enumerate(self._messages):
            while held is not None and held[0] < row:
                held = next(recorded, None)
            if held is not None and held[0] == row:
                if held[1:] != (message.phone, message.digest()):
                    raise JournalMismatch(
                        f"{self.journal.path}: row {row} of the input is not the message the journal"
                        " recorded there: resume with the input it was written for, or a new journal"
                    )
                continue
            yield row, message


@contextmanager
def open_session(
    journal: str | Path,
    messages: Iterable[BulkMessage],
    *,
    concurrency: int,
    max_recipients: int,
    settle: float,
    durable: bool,
    progress: Callable[[int], Any] | None,
) -> Iterator[BulkSession]:
    """The session of one run of either loop, its arguments checked and its journal held
    (and closed) around it."""
    if not 1 <= concurrency <= MAX_IN_FLIGHT:
        raise ValueError(f"concurrency={concurrency}: must be 1..{MAX_IN_FLIGHT} (the API's cap per login)")
    planner = BulkPlanner(max_recipients)
    with Journal(journal, durable=durable) as log:
        yield BulkSession(log, messages, planner, settle=settle, progress=progress)
