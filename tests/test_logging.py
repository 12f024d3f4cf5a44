"""Logging, as a user switches it on: one namespace, ``smsc``; INFO for a retry, a failover, a
local rate-limit refusal and a slow call; DEBUG for each request and answer line; never a
secret. Both clients log the same lines (the policy logs them, not the transports)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from smsc_aiohttp import AsyncClient
from smsc_urllib3 import Client
from transport_support import Reply, Server, refusing_host

from smsc_proto import Balance, Credentials, RateLimitedError, Send
from smsc_proto.errors import redacted

SECRET = "hunter2-secret"
CREDS = Credentials(login="acme", psw=SECRET)
BALANCE = Reply('{"balance": "10.00"}')


def _call(kind: str, hosts: list[str], ops: list[Any], **options: Any) -> list[Any]:
    """Each op called in turn with one client; an error is returned, not raised."""
    results: list[Any] = []
    if kind == "urllib3":
        with Client(CREDS, hosts=hosts, backoff=0.0, **options) as client:
            for op in ops:
                try:
                    results.append(client.call(op))
                except RateLimitedError as exc:
                    results.append(exc)
        return results

    async def run() -> None:
        async with AsyncClient(CREDS, hosts=hosts, backoff=0.0, **options) as client:
            for op in ops:
                try:
                    results.append(await client.call(op))
                except RateLimitedError as exc:
                    results.append(exc)

    asyncio.run(run())
    return results


def _lines(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == level]


@pytest.fixture(autouse=True)
def _every_line_is_in_the_namespace_and_secret_free(caplog: pytest.LogCaptureFixture) -> Any:
    caplog.set_level(logging.DEBUG, logger="smsc")
    yield
    records = caplog.get_records("call")
    assert records, "nothing was logged"
    for record in records:
        assert record.name == "smsc" or record.name.startswith("smsc."), record.name
        assert SECRET not in record.getMessage() and SECRET[:6] not in record.getMessage()


@pytest.mark.parametrize("kind", ["urllib3", "aiohttp"])
def test_a_retry_is_info_and_each_exchange_debug(kind: str, caplog: pytest.LogCaptureFixture) -> None:
    with Server(Reply("busy", status=503, content_type="text/plain"), BALANCE) as server:
        (result,) = _call(kind, [server.url], [Balance()])
    assert str(result.balance) == "10.00"
    (retry,) = _lines(caplog, logging.INFO)
    assert retry.startswith(f"balance: retry 2 of 3, POST {server.url}/sys/balance.php")
    assert retry.endswith("after: HTTP 503") and "failing over" not in retry
    assert _lines(caplog, logging.DEBUG) == [
        f"balance: POST {server.url}/sys/balance.php",
        f"balance: POST {server.url}/sys/balance.php -> HTTP 503",
        f"balance: POST {server.url}/sys/balance.php -> HTTP 200",
    ]


@pytest.mark.parametrize("kind", ["urllib3", "aiohttp"])
def test_a_failover_names_both_hosts(kind: str, caplog: pytest.LogCaptureFixture) -> None:
    with refusing_host() as dead, Server(BALANCE) as server:
        _call(kind, [dead, server.url], [Balance()])
    (failover,) = _lines(caplog, logging.INFO)
    assert f"POST {server.url}/sys/balance.php" in failover
    assert f"failing over from {dead}/sys/balance.php" in failover
    assert any(
        line.startswith(f"balance: POST {dead}/sys/balance.php failed (not sent)")
        for line in _lines(caplog, logging.DEBUG)
    )


@pytest.mark.parametrize("kind", ["urllib3", "aiohttp"])
def test_a_local_refusal_is_info(kind: str, caplog: pytest.LogCaptureFixture) -> None:
    send = Send(phones=["79991234567"], mes="Your code is 1234")
    with Server(Reply('{"id": 1, "cnt": 1}')) as server:
        first, second = _call(kind, [server.url], [send, send])
    assert isinstance(second, RateLimitedError) and not isinstance(first, RateLimitedError)
    (refused,) = _lines(caplog, logging.INFO)
    assert refused.startswith("send: refused locally by its rate limit; retry in ")
    assert len(server.requests) == 1


@pytest.mark.parametrize("kind", ["urllib3", "aiohttp"])
def test_a_slow_call_is_info(kind: str, caplog: pytest.LogCaptureFixture) -> None:
    with Server(Reply('{"balance": "10.00"}', stall=0.3)) as server:
        _call(kind, [server.url], [Balance()], slow_call=0.2)
    (slow,) = _lines(caplog, logging.INFO)
    assert slow.startswith("balance: slow call: 0.") and slow.endswith("1 attempt(s), 20 bytes")


def test_a_quick_call_is_not_slow(caplog: pytest.LogCaptureFixture) -> None:
    with Server(BALANCE) as server:
        _call("urllib3", [server.url], [Balance()])
    assert _lines(caplog, logging.INFO) == []


def test_log_text_is_redacted() -> None:
    logging.getLogger("smsc.test").debug("a line")  # the autouse check wants one record
    assert redacted(f"bad status line 'psw={SECRET}&x=1'", [SECRET]) == "bad status line 'psw=<hidden>&x=1'"
    assert redacted(f"echo {SECRET}", [SECRET]) == "echo <hidden>"
