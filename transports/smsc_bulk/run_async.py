"""``send_bulk_async``: a bulk send from an async client, its requests as tasks."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from smsc_bulk.journal import Journal
from smsc_bulk.session import DEFAULT_SETTLE, BulkSession
from smsc_proto.bulk import MAX_RECIPIENTS, Batch, BulkMessage, BulkPlanner, BulkReport
from smsc_proto.errors import SmscProtoError
from smsc_proto.op import Op

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
    if not 1 <= concurrency <= 14:
        raise ValueError(f"concurrency={concurrency}: must be 1..14 (the API's cap per login)")
    with Journal(journal, durable=durable) as log:
        session = BulkSession(log, messages, BulkPlanner(max_recipients), settle=settle)
        await _check(client, session, sleep)
        running: dict[asyncio.Task[Any], Batch] = {}
        answered: list[tuple[Batch, Any]] = []
        try:
            while True:
                for batch in session.advance(answered, concurrency - len(running)):
                    running[asyncio.create_task(_call(client, batch.send))] = batch
                if not running:
                    break
                done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                answered = [(running.pop(task), task.result()) for task in done]
                if progress is not None:
                    progress(sum(len(batch.phones) for batch, _ in answered))
        finally:
            # Cancelled: the requests in flight stay `sending` in the journal (checked by the
            # next run), never forgotten.
            for task in running:
                task.cancel()
        await _check(client, session, sleep)
        return session.report()


async def _check(client: AsyncCaller, session: BulkSession, sleep: Callable[[float], Awaitable[Any]]) -> None:
    wait_for, batches = session.checks()
    if batches and wait_for:
        await sleep(wait_for)
    for batch in batches:
        answer = await _call(client, batch.status)
        session.checked(batch, answer)


async def _call(client: AsyncCaller, make: Callable[[], Op[R]]) -> R | SmscProtoError:
    try:
        return await client.call(make())
    except SmscProtoError as exc:
        return exc
