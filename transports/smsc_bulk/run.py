"""``send_bulk``: a bulk send from a sync client, its requests in threads."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeVar

from smsc_bulk.session import DEFAULT_SETTLE, Answer, BulkSession, InFlight, open_session
from smsc_proto.bulk import MAX_RECIPIENTS, Batch, BulkMessage, BulkReport
from smsc_proto.errors import SmscProtoError
from smsc_proto.op import Op
from smsc_proto.ops.send import SendResult

__all__ = ["Caller", "send_bulk"]

R = TypeVar("R")


class Caller(Protocol):
    """A sync client: ``smsc_urllib3.Client``."""

    def call(self, op: Op[R]) -> R: ...


def send_bulk(
    client: Caller,
    messages: Iterable[BulkMessage],
    journal: str | Path,
    *,
    concurrency: int = 4,
    max_recipients: int = MAX_RECIPIENTS,
    settle: float = DEFAULT_SETTLE,
    durable: bool = True,
    progress: Callable[[int], Any] | None = None,
    sleep: Callable[[float], Any] = time.sleep,
) -> BulkReport:
    """Send ``messages`` (``BulkMessage``: phone, text, options), the recipients of one
    text and options grouped into one ``send`` of at most ``max_recipients``,
    ``concurrency`` requests at a time (the login's cap still applies), every request
    recorded in ``journal`` (an SQLite file) before it leaves and its outcome after.

    Run it again with the same journal and input after a crash: nothing answered is sent
    again, and a request whose answer never came is checked with ``status`` (``settle``
    seconds after it left) before its recipients are either counted sent or sent again;
    where the check fails they are reported ``unknown``. ``progress(n)`` is told of each
    ``n`` recipients whose requests were answered. Returns the journal's totals.

    Example (the README's "Running many workers" runs it against the sandbox)::

        with Client(Credentials.from_env()) as client:
            report = send_bulk(client, read_csv("list.csv"), "list.journal", concurrency=8)
        print(report.sent, report.failed, report.unknown, report.cost)
    """
    with open_session(
        journal,
        messages,
        concurrency=concurrency,
        max_recipients=max_recipients,
        settle=settle,
        durable=durable,
        progress=progress,
    ) as session:
        _check(client, session, sleep)
        flight: InFlight[Future[Answer]] = InFlight()
        with ThreadPoolExecutor(concurrency, thread_name_prefix="smsc-bulk") as pool:
            try:
                while True:
                    for batch in session.advance(flight, concurrency - len(flight.batches)):
                        flight.batches[pool.submit(_guarded, partial(_send, client, batch))] = batch
                    if not flight.batches:
                        break
                    flight.landed(wait(flight.batches, return_when=FIRST_COMPLETED).done)
            except BaseException:
                # Stopped (an error, Ctrl-C): the requests in flight end (a thread cannot be
                # stopped), and every answer in hand is recorded before the error goes on.
                wait(flight.batches)
                session.keep(flight.unrecorded())
                raise
        _check(client, session, sleep)
        return session.report()


def _check(client: Caller, session: BulkSession, sleep: Callable[[float], Any]) -> None:
    wait_for, batches = session.checks()
    if batches and wait_for:
        sleep(wait_for)
    for batch in batches:
        session.checked(batch, [_guarded(partial(client.call, status)) for status in batch.statuses()])


def _send(client: Caller, batch: Batch) -> SendResult:
    # The op is built here too: a request the codec refuses is an outcome, not a crash.
    return client.call(batch.send())


def _guarded(action: Callable[[], R]) -> R | SmscProtoError:
    """The answer, or the SDK's error (an outcome to record); anything else is a bug."""
    try:
        return action()
    except SmscProtoError as exc:
        return exc
