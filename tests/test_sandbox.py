"""The sandbox (conformance/smsc_conformance/sandbox.py) through the ``smsc_sandbox`` pytest
fixture, written as a user of the SDK would write their own tests: no network, no account."""

from __future__ import annotations

import asyncio
import json
import typing
from decimal import Decimal
from typing import Any

import pytest
from conformance_support import post_form
from property_support import samples
from smsc_aiohttp import AsyncClient
from smsc_conformance.emulator import Emulator
from smsc_conformance.sandbox import PRICE, Sandbox, parts_of
from smsc_urllib3 import Client

from smsc_proto import (
    AuthenticationError,
    Balance,
    Credentials,
    DecodeError,
    DocumentsAddAccount,
    DocumentsGetAccount,
    DownloadsGetFile,
    DownloadsGetList,
    InsufficientFundsError,
    JobsAdd,
    JobsDel,
    JobsGet,
    MessageStatus,
    NotFoundError,
    PhonesAdd,
    PhonesGet,
    RateLimitedError,
    Send,
    SendCost,
    SmscError,
    Status,
    StatusBatch,
    TemplatesAdd,
    TemplatesDel,
    TemplatesGet,
)

CREDS = Credentials(apikey="test-key")


def _client(sandbox: Emulator) -> Client:
    # rate_limits=False: the sandbox's own error 9 is what is tested, not the local limiter.
    return Client(CREDS, hosts=[sandbox.base_url], rate_limits=False)


def test_send_debits_the_balance_and_the_status_moves_to_delivered(smsc_sandbox: Emulator) -> None:
    state = smsc_sandbox.sandbox
    assert state is not None
    now = [1_700_000_000.0]
    state._clock = lambda: now[0]  # the sandbox's clock, moved by hand
    with _client(smsc_sandbox) as client:
        before = client.call(Balance()).balance
        sent = client.call(Send(phones=["79991234567", "79991234568"], mes="Your code is 1234", cost=3))
        assert sent.id is not None
        assert sent.cnt == 2 and sent.cost == 2 * PRICE and sent.balance == before - 2 * PRICE
        assert client.call(Balance()).balance == before - 2 * PRICE
        queued = client.call(Status(phone="79991234567", id=sent.id))
        assert queued.status is MessageStatus.WAITING
        now[0] += state.deliver_after
        delivered = client.call(Status(phone="79991234567", id=sent.id))
        assert delivered.status is MessageStatus.DELIVERED and delivered.last_timestamp == int(now[0])
        both = client.call(StatusBatch(phone=["79991234567", "79991234568"], id=[sent.id, 999]))
        assert [s.status for s in both] == [MessageStatus.DELIVERED, MessageStatus.NOT_FOUND]


def test_prices_by_parts(smsc_sandbox: Emulator) -> None:
    long_cyrillic = "ж" * 71  # two Unicode parts
    assert parts_of("a" * 160) == 1 and parts_of("a" * 161) == 2 and parts_of(long_cyrillic) == 2
    with _client(smsc_sandbox) as client:
        quote = client.call(SendCost(phones=["79991234567"], mes=long_cyrillic))
        assert (quote.cnt, quote.cost) == (2, 2 * PRICE)
        assert smsc_sandbox.sandbox is not None and smsc_sandbox.sandbox.messages == []  # nothing sent


def test_the_real_rules_refuse(smsc_sandbox: Emulator) -> None:
    state = smsc_sandbox.sandbox
    assert state is not None
    with _client(smsc_sandbox) as client:
        client.call(Send(phones=["79991234567"], mes="once"))
        with pytest.raises(RateLimitedError):  # the same message within a minute
            client.call(Send(phones=["79991234567"], mes="once"))
        state.balance = Decimal("1.00")
        with pytest.raises(InsufficientFundsError):
            client.call(Send(phones=["79991234567"], mes="no money left"))
        with pytest.raises(NotFoundError):  # the op's own "not found" code (3)
            client.call(TemplatesDel(id=404))
        with pytest.raises(NotFoundError):  # downloads' is 5
            list(client.stream(DownloadsGetFile(id=404)))
    body = urllib3_post(smsc_sandbox, "/sys/send.php", {"apikey": "k", "mes": "no phones", "fmt": "3"})
    assert json.loads(body) == {
        "error": "parameters error: is required and must not be empty",
        "error_code": 1,
    }


def urllib3_post(sandbox: Emulator, path: str, form: dict[str, str]) -> bytes:
    return post_form(sandbox.base_url + path, form).data


def test_records_are_kept(smsc_sandbox: Emulator) -> None:
    with _client(smsc_sandbox) as client:
        job = client.call(JobsAdd(name="Promo", phones=["79991234567"], mes="Sale!"))
        assert client.call(JobsGet(id=job.id)).name == "Promo"
        client.call(JobsDel(id=job.id))
        with pytest.raises(SmscError) as caught:  # jobs.php documents no "not found": code 3
            client.call(JobsDel(id=job.id))
        assert caught.value.code == 3
        client.call(PhonesAdd(phone="79991234567", name="Ann"))
        assert [c.name for c in client.call(PhonesGet())] == ["Ann"]
        template = client.call(TemplatesAdd(name="code", msg="Your code is %code%"))
        assert [(t.id, t.message) for t in client.call(TemplatesGet())] == [
            (template.id, "Your code is %code%")
        ]


def test_exports_and_invoices(smsc_sandbox: Emulator) -> None:
    with _client(smsc_sandbox) as client:
        assert list(client.stream(DownloadsGetFile(id=1))) == []  # nothing sent yet: a header alone
        client.call(Send(phones=["79991234567"], mes="Hello"))
        (task,) = client.call(DownloadsGetList())
        rows = list(client.stream(DownloadsGetFile(id=task.id)))
        assert [(r["phone"], r["message"]) for r in rows] == [("79991234567", "Hello")]
        invoice = client.call(DocumentsAddAccount(user="client1", sum=Decimal("1500.00")))
        assert invoice.sum == Decimal("1500.00") and invoice.pdf.startswith(b"%PDF-")
        pdf = client.call(DocumentsGetAccount(user="client1", id=int(invoice.id)))
        assert pdf.pdf == invoice.pdf


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_every_fmt_is_honoured(smsc_sandbox: Emulator, fmt: Any) -> None:
    with _client(smsc_sandbox) as client:
        assert client.call(Balance(fmt=fmt)).balance == Decimal("1000.00")
        sent = client.call(Send(phones=["79991234567"], mes=f"fmt {fmt}", fmt=fmt))
        assert sent.id is not None
        assert client.call(Status(phone="79991234567", id=sent.id, fmt=fmt)).status is MessageStatus.WAITING


def test_every_op_gets_a_valid_answer(smsc_sandbox: Emulator) -> None:
    """Any valid request of every op, in every fmt: a typed result, or an API error the op
    documents (a record it does not have), never a body the codec cannot read."""
    seen = set()
    with _client(smsc_sandbox) as client:
        for sample in samples():
            try:
                if typing.get_origin(sample.op.result_type) is list:
                    list(client.stream(sample.op))
                else:
                    client.call(sample.op)
            except DecodeError as exc:  # the failure this test exists for
                pytest.fail(f"{sample.label}: {exc}")
            except SmscError:
                pass  # not found, no money after many sends, a duplicate: the service's rules
            seen.add(sample.op_id)
    from smsc_proto import OPS

    assert seen == set(OPS)


def test_credentials_are_checked_when_the_sandbox_has_some() -> None:
    with Emulator(sandbox=Sandbox(credentials=Credentials(login="me", psw="right"))) as emu:
        with Client(Credentials(login="me", psw="right"), hosts=[emu.base_url]) as client:
            assert client.call(Balance()).balance == Decimal("1000.00")
        with (
            Client(Credentials(login="me", psw="wrong"), hosts=[emu.base_url]) as client,
            pytest.raises(AuthenticationError),
        ):
            client.call(Balance())


def test_the_async_client_against_the_sandbox(smsc_sandbox: Emulator) -> None:
    async def main() -> Decimal:
        async with AsyncClient(CREDS, hosts=[smsc_sandbox.base_url]) as client:
            await client.call(Send(phones=["79991234567"], mes="async"))
            return (await client.call(Balance())).balance

    assert asyncio.run(main()) == Decimal("1000.00") - PRICE


def test_a_bad_parameter_is_error_1_in_the_asked_fmt(smsc_sandbox: Emulator) -> None:
    body = urllib3_post(smsc_sandbox, "/sys/balance.php", {"apikey": "k", "cur": "7", "fmt": "0"})
    assert body.startswith(b"ERROR = 1 (parameters error")
    body = urllib3_post(smsc_sandbox, "/sys/nope.php", {"apikey": "k"})
    assert body == b"<html>404 Not Found</html>"
