"""A tour in a few seconds, on loopback only: ``python -m smsc_conformance.demo``.

Starts the emulator on 127.0.0.1 in matching mode with a small scenario written with the
codec's own ``op.render``/``op.render_error`` (one answer per fmt: text, CSV, XML, JSON), then
runs send, send.cost, status, balance, ping and a send to a bad number with both clients,
sync (urllib3) and async (aiohttp), and prints what they decoded.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TextIO

import smsc_proto
from smsc_conformance.emulator import Emulator
from smsc_conformance.fixtures import CannedResponse, Expectation, Fixture, RequestSpec
from smsc_proto import Credentials, OkResult, SmscError
from smsc_proto.enums import DeliveryError, MessageStatus
from smsc_proto.ops.balance import Balance, BalanceResult
from smsc_proto.ops.ping import Ping
from smsc_proto.ops.send import Send, SendCost, SendCostResult, SendResult
from smsc_proto.ops.status import Status, StatusResult

__all__ = ["Step", "main", "scenario"]

_FMT_NAMES = {0: "text", 1: "CSV", 2: "XML", 3: "JSON"}
PHONE = "79991234567"
BAD_PHONE = "12345"


@dataclass(frozen=True, slots=True)
class Step:
    """One call of the tour: the op, the answer the emulator gives, how to show the result."""

    title: str
    op: smsc_proto.Op[Any]
    answer: smsc_proto.HttpResponse
    show: Callable[[Any], str]
    error: int | None = None

    def fixture(self) -> Fixture:
        expect = Expectation("result", {}) if self.error is None else Expectation("error", code=self.error)
        return Fixture(
            name=f"demo/{self.title}",
            op_id=self.op.op_id,
            input={},
            fmt=self.op.fmt,
            # Every param the op sends: the scenario's answers never mix up.
            request=RequestSpec("POST", self.op.path, dict(self.op.params())),
            response=CannedResponse.of(self.answer),
            expect=expect,
        )


def _when(value: dt.datetime | None) -> str:
    return "-" if value is None else value.strftime("%Y-%m-%d %H:%M:%S")


def _money(value: Decimal | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def scenario() -> list[Step]:
    """The calls of the tour with the answers of a plausible account."""
    send = Send(phones=[PHONE], mes="Hello from smsc-proto", id=101, cost=3, fmt=0)
    cost = SendCost(phones=[PHONE, "79991234568"], mes="Hello " * 30, fmt=1)
    status = Status(phone=PHONE, id=101, all=1, fmt=0)
    balance = Balance(cur=1, fmt=2)
    ping = Ping(id=7, name="db1", info="disk full", fmt=3)
    bad = Send(phones=[BAD_PHONE], mes="Hello", id=102, fmt=3)
    sent_at = dt.datetime(2024, 5, 1, 12, 0, 1)
    delivered = StatusResult(
        status=MessageStatus.DELIVERED,
        last_date=sent_at + dt.timedelta(seconds=4),
        err=DeliveryError(0),
        send_date=sent_at,
        phone=PHONE,
        cost=Decimal("1.90"),
        sender_id="SMSC.RU",
        status_name="Delivered",
        message="Hello from smsc-proto",
    )

    def show_send(r: SendResult) -> str:
        return f"message {r.id}: {r.cnt} SMS, cost {_money(r.cost)}, balance now {_money(r.balance)}"

    def show_cost(r: SendCostResult) -> str:
        return f"{r.cnt} SMS would cost {_money(r.cost)}"

    def show_status(r: StatusResult) -> str:
        return (
            f"message 101 to {r.phone}: {r.status.name.lower()} (status {int(r.status)}), "
            f"sent {_when(r.send_date)}, last change {_when(r.last_date)}, cost {_money(r.cost)}"
        )

    def show_balance(r: BalanceResult) -> str:
        return f"{_money(r.balance)} {r.currency or ''}".rstrip()

    def show_ping(r: OkResult) -> str:
        return f"task group 7 notified: {r.result}"

    return [
        Step(
            "send",
            send,
            send.render(SendResult(cnt=1, id=101, cost=Decimal("1.90"), balance=Decimal("98.10"))),
            show_send,
        ),
        Step("send.cost", cost, cost.render(SendCostResult(cost=Decimal("7.60"), cnt=4)), show_cost),
        Step("status", status, status.render(delivered), show_status),
        Step(
            "balance",
            balance,
            balance.render(BalanceResult(balance=Decimal("98.10"), currency="RUR")),
            show_balance,
        ),
        Step("ping", ping, ping.render(OkResult("OK")), show_ping),
        Step(
            "send (bad number)",
            bad,
            bad.render_error(7, "invalid number", message_id=102),
            lambda r: f"unexpected success: {r!r}",
            error=7,
        ),
    ]


def _line(step: Step, outcome: Any, out: TextIO) -> bool:
    label = f"  {step.title:<18} fmt={step.op.fmt} ({_FMT_NAMES[step.op.fmt]:<4}) -> "
    if isinstance(outcome, SmscError):
        text = str(outcome).removeprefix(f"{outcome.op}: ")
        print(f"{label}{text} [{type(outcome).__name__}]", file=out)
        return step.error == outcome.code
    if isinstance(outcome, Exception):
        print(f"{label}FAILED: {type(outcome).__name__}: {outcome}", file=out)
        return False
    print(label + step.show(outcome), file=out)
    return step.error is None


def _run_sync(steps: Sequence[Step], url: str, credentials: Credentials, out: TextIO) -> bool:
    from smsc_urllib3 import Client

    ok = True
    with Client(credentials, hosts=[url]) as client:
        for step in steps:
            try:
                outcome: Any = client.call(step.op)
            except Exception as exc:
                outcome = exc
            ok = _line(step, outcome, out) and ok
    return ok


async def _run_async(steps: Sequence[Step], url: str, credentials: Credentials, out: TextIO) -> bool:
    from smsc_aiohttp import AsyncClient

    ok = True
    client = AsyncClient(credentials, hosts=[url])
    try:
        for step in steps:
            try:
                outcome: Any = await client.call(step.op)
            except Exception as exc:
                outcome = exc
            ok = _line(step, outcome, out) and ok
    finally:
        await client.close()
    return ok


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the tour; 0 when every call did what the scenario says."""
    del argv  # no options
    out = out or sys.stdout
    steps = scenario()
    # A demo account: the emulator accepts any credentials.
    # Demo accounts (the emulator accepts any): one per client, since clients of one login
    # share its limits, and the API refuses the same send twice a minute.
    credentials = Credentials(login="demo", psw="demo-password")
    async_credentials = Credentials(login="demo-async", psw="demo-password")
    with Emulator(step.fixture() for step in steps) as emulator:
        print(f"SMSC emulator on {emulator.base_url} (loopback only, answers in all four fmts)", file=out)
        print("sync client, smsc_urllib3.Client:", file=out)
        ok = _run_sync(steps, emulator.base_url, credentials, out)
        print("async client, smsc_aiohttp.AsyncClient:", file=out)
        ok = asyncio.run(_run_async(steps, emulator.base_url, async_credentials, out)) and ok
        received = len(emulator.requests)
    print(f"emulator stopped after {received} requests", file=out)
    if not ok:
        print("demo: some calls did not do what the scenario expects", file=out)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
