"""``send_bulk_async``: a bulk send from an async client, its requests as tasks."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from smsc_bulk.session import DEFAULT_SETTLE, Answer, BulkSession, InFlight, open_session
from smsc_proto.bulk import MAX_RECIPIENTS, Batch, BulkMessage, BulkReport
from smsc_proto.errors import SmscProtoError
from smsc_proto.op import Op
from smsc_proto.ops.send import SendResult
from smsc_proto.ops.status import StatusResult

__all__ = ["AsyncCaller", "send_bulk_async"]

R = TypeVar("R")


class AsyncCaller(Protocol):
    """An async client: ``smsc_aiohttp.AsyncClient``."""

    async def call(self, op: Op[R]) -> R: ...


async def send_bulk_async(
    client: AsyncCaller,
    messages: Iterable[BulkMessage],
    journal: str | Path,
    *,
    concurrency: int = 4,
    max_recipients: int = MAX_RECIPIENTS,
    settle: float = DEFAULT_SETTLE,
    durable: bool = True,
    progress: Callable[[int], Any] | None = None,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
) -> BulkReport:
    """``smsc_bulk.send_bulk`` for an async client: the same journal, grouping, resuming
    and totals; ``concurrency`` requests at a time on the running loop. The journal is
    written from the loop (one short transaction per group of batches)."""
    with open_session(
        journal,
        messages,
        concurrency=concurrency,
        max_recipients=max_recipients,
        settle=settle,
        durable=durable,
        progress=progress,
    ) as session:
        await _check(client, session, sleep)
        flight: InFlight[asyncio.Task[Answer]] = InFlight()
        try:
            while True:
                for batch in session.advance(flight, concurrency - len(flight.batches)):
                    flight.batches[asyncio.create_task(_guarded(_send(client, batch)))] = batch
                if not flight.batches:
                    break
                done, _ = await asyncio.wait(flight.batches, return_when=asyncio.FIRST_COMPLETED)
                flight.landed(done)
        except BaseException as exc:
            if isinstance(exc, asyncio.CancelledError) or not flight.batches:
                # Cancelled: so are the requests in flight; those that may have left stay
                # `sending`, for the next run to check.
                for task in flight.batches:
                    task.cancel()
            else:  # an error: the requests in flight end, and their answers are kept
                await asyncio.wait(flight.batches)
            session.keep(flight.unrecorded())
            raise
        await _check(client, session, sleep)
        return session.report()


async def _check(client: AsyncCaller, session: BulkSession, sleep: Callable[[float], Awaitable[Any]]) -> None:
    wait_for, batches = session.checks()
    if batches and wait_for:
        await sleep(wait_for)
    for batch in batches:
        answers: list[StatusResult | SmscProtoError] = []
        for status in batch.statuses():
            answer: Awaitable[StatusResult] = client.call(status)
            answers.append(await _guarded(answer))
        session.checked(batch, answers)


async def _send(client: AsyncCaller, batch: Batch) -> SendResult:
    # The op is built here too: a request the codec refuses is an outcome, not a crash.
    return await client.call(batch.send())


async def _guarded(answer: Awaitable[R]) -> R | SmscProtoError:
    """The answer, or the SDK's error (an outcome to record); anything else is a bug."""
    try:
        return await answer
    except SmscProtoError as exc:
        return exc
