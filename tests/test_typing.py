"""Results are typed by their op: checked by mypy (``make typecheck`` runs it on this file) and
run by pytest against the loopback emulator, so that every ``assert_type`` is also a real call.

``assert_type`` makes mypy fail when a call's static type is not the op's result type; the
``type: ignore[attr-defined]`` lines make it fail when a misspelt member is *not* an error
(strict mode reports an unused ignore).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import assert_type

import pytest
from smsc_aiohttp import AsyncClient
from smsc_conformance.emulator import Emulator
from smsc_conformance.fixtures import CannedResponse
from smsc_urllib3 import Client

from smsc_proto import (
    Balance,
    BalanceResult,
    Credentials,
    CsvRow,
    DownloadsGetFile,
    HttpResponse,
    JobsGetAll,
    JobSummary,
    MessageStatus,
    Send,
    SendCost,
    SendCostResult,
    SendResult,
    Status,
    StatusBatch,
    StatusResult,
)

CREDENTIALS = Credentials(login="typing", psw="typing-password")
BALANCE = BalanceResult(balance=Decimal("12.50"))
SUMMARY = JobSummary(id=7, name="Promo", changed=dt.datetime(2024, 2, 1, 10, 0))
STATUS = StatusResult(status=MessageStatus.DELIVERED, last_timestamp=1700000000)


def answers() -> dict[str, HttpResponse]:
    """The answer the emulator gives each call below, written by the op itself."""
    return {
        "balance": Balance().render(BALANCE),
        "send": Send(phones=["79991234567"], mes="Hi").render(SendResult(cnt=1, id=5)),
        "cost": SendCost(phones=["79991234567"], mes="Hi").render(
            SendCostResult(cost=Decimal("1.40"), cnt=1)
        ),
        "status": Status(phone="79991234567", id=5).render(STATUS),
        "batch": StatusBatch(phone=["79991234567"], id=[5, 6]).render([STATUS, STATUS]),
        "jobs": JobsGetAll().render([SUMMARY, SUMMARY]),
        "file": DownloadsGetFile(id=3).render([{"phone": "79991234567", "text": "Hi"}]),
    }


@pytest.fixture(scope="module")
def urls() -> Iterator[dict[str, str]]:
    with Emulator() as emulator:
        out = {}
        for name, answer in answers().items():
            case = emulator.add_case(
                CannedResponse(answer.status, tuple(answer.headers.items()), answer.body)
            )
            out[name] = emulator.case_url(case)
        yield out


def client(url: str) -> Client:
    return Client(CREDENTIALS, hosts=[url], rate_limits=False)


def aclient(url: str) -> AsyncClient:
    return AsyncClient(CREDENTIALS, hosts=[url], rate_limits=False)


def test_call_results_are_the_ops_result_types(urls: dict[str, str]) -> None:
    with client(urls["balance"]) as c:
        balance = c.call(Balance())
        assert_type(balance, BalanceResult)
        assert balance.balance == Decimal("12.50")
        with pytest.raises(AttributeError):
            c.call(Balance()).balanc  # type: ignore[attr-defined]  # noqa: B018
    with client(urls["send"]) as c:
        sent = c.call(Send(phones=["79991234567"], mes="Hi"))
        assert_type(sent, SendResult)
        assert sent.id == 5
    with client(urls["cost"]) as c:
        cost = c.call(SendCost(phones=["79991234567"], mes="Hi"))
        assert_type(cost, SendCostResult)
        assert cost.cost == Decimal("1.40")
    with client(urls["status"]) as c:
        one = c.call(Status(phone="79991234567", id=5))
        assert_type(one, StatusResult)
        assert one.status == 1
    with client(urls["batch"]) as c:
        several = c.call(StatusBatch(phone=["79991234567"], id=[5, 6]))
        assert_type(several, list[StatusResult])
        assert [s.status for s in several] == [1, 1]
    with client(urls["jobs"]) as c:
        jobs = c.call(JobsGetAll())
        assert_type(jobs, list[JobSummary])
        assert jobs[0].changed == dt.datetime(2024, 2, 1, 10, 0)
        with pytest.raises(AttributeError):
            jobs[0].phone_cnt  # type: ignore[attr-defined]  # noqa: B018


def test_stream_yields_the_item_type(urls: dict[str, str]) -> None:
    with client(urls["jobs"]) as c:
        for summary in c.stream(JobsGetAll()):
            assert_type(summary, JobSummary)
            assert summary.id == 7
    with client(urls["file"]) as c:
        rows = list(c.stream(DownloadsGetFile(id=3)))
        assert_type(rows, list[CsvRow])
        assert rows == [{"phone": "79991234567", "text": "Hi"}]


async def test_async_call_and_stream_are_typed_alike(urls: dict[str, str]) -> None:
    async with aclient(urls["balance"]) as c:
        balance = await c.call(Balance())
        assert_type(balance, BalanceResult)
        assert balance.balance == Decimal("12.50")
        with pytest.raises(AttributeError):
            (await c.call(Balance())).balanc  # type: ignore[attr-defined]  # noqa: B018
    async with aclient(urls["batch"]) as c:
        several = await c.call(StatusBatch(phone=["79991234567"], id=[5, 6]))
        assert_type(several, list[StatusResult])
        assert len(several) == 2
    async with aclient(urls["jobs"]) as c:
        async for summary in c.stream(JobsGetAll()):
            assert_type(summary, JobSummary)
            assert summary.name == "Promo"
    async with aclient(urls["file"]) as c:
        async for row in c.stream(DownloadsGetFile(id=3)):
            assert_type(row, CsvRow)
            assert row["text"] == "Hi"


def test_the_codec_alone_is_typed_alike() -> None:
    answer = HttpResponse(200, {"Content-Type": "application/json"}, b'{"balance": "1"}')
    assert_type(Balance().decode(answer), BalanceResult)
    assert Balance().decode(answer) == BalanceResult(balance=Decimal("1"))
