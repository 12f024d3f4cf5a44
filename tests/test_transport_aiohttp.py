"""smsc_aiohttp.AsyncClient against a scripted loopback server (tests/transport_support.py)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import traceback
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest
from smsc_aiohttp import AsyncClient
from transport_support import HTML, TEXT, Reply, Server, refusing_host, self_signed

from smsc_proto import (
    AuthenticationError,
    Balance,
    BalanceResult,
    Credentials,
    DecodeError,
    HttpResponse,
    JobsGetAll,
    MessageRejectedError,
    MessageStatus,
    NotFoundError,
    OkResult,
    Op,
    Ping,
    RateLimitedError,
    Send,
    SendResult,
    Status,
    StatusBatch,
    StatusResult,
    StreamDecoder,
    TransportError,
)

CREDS = Credentials(login="acme", psw="pw")
SEND = Send(phones=["79991234567"], mes="Hi")
MULTI = StatusBatch(phone=["79991234567", "79991234568"], id=[3, 4])
MULTI_BODY = (
    '[{"status": 1, "id": 3, "phone": "79991234567"}, {"status": 0, "id": 4, "phone": "79991234568"}]'
)
ONE_STATUS = '{"status": 1, "last_date": "10.10.2020 12:00:00", "last_timestamp": 1602320400}'
ONE_STATUS_RESULT = StatusResult(
    status=MessageStatus(1), last_date=dt.datetime(2020, 10, 10, 12), last_timestamp=1602320400
)
BAD_GATEWAY = Reply("<html><body><h1>502 Bad Gateway</h1></body></html>", status=502, content_type=HTML)


async def _no_sleep(seconds: float) -> None:
    pass


def client(*hosts: str, **options: Any) -> AsyncClient:
    options.setdefault("sleep", _no_sleep)
    return AsyncClient(CREDS, hosts, **options)


def recording(sleeps: list[float]) -> Callable[[float], Any]:
    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    return sleep


async def collect(c: AsyncClient, op: Op[Any]) -> list[Any]:
    return [item async for item in c.stream(op)]


@pytest.mark.parametrize(
    ("op", "reply", "expected"),
    [
        (SEND, Reply('{"id": 5, "cnt": 1}'), SendResult(cnt=1, id=5)),
        (
            Send(phones=["79991234567"], mes="Hi", fmt=0),
            Reply("OK - 2 SMS, ID - 77", content_type=TEXT),
            SendResult(cnt=2, id=77),
        ),
        (Balance(), Reply('{"balance": "250.80"}'), BalanceResult(balance=Decimal("250.80"))),
        (Balance(fmt=0), Reply(b"-12.5\n", content_type=TEXT), BalanceResult(balance=Decimal("-12.5"))),
        (Status(phone="79991234567", id=3), Reply(ONE_STATUS), ONE_STATUS_RESULT),
        # A batch of one id is answered in the single shape; the result is still a list.
        (StatusBatch(phone=["79991234567"], id=[3]), Reply(ONE_STATUS), [ONE_STATUS_RESULT]),
        (Ping(id=7), Reply('{"result": "OK"}'), OkResult("OK")),
        (Ping(id=7, fmt=0), Reply("OK", content_type=None), OkResult("OK")),
    ],
)
async def test_call_returns_typed_results(op: Op[Any], reply: Reply, expected: Any) -> None:
    with Server(reply) as server:
        async with client(server.url) as c:
            assert await c.call(op) == expected
    [seen] = server.requests
    assert seen.method == "POST"
    assert seen.target == op.path  # no query string: everything is in the body
    assert seen.header("Content-Type") == "application/x-www-form-urlencoded; charset=utf-8"
    assert (seen.header("User-Agent") or "").startswith("smsc-proto/")
    assert seen.form == dict(op.request(CREDS).fields)


async def test_user_agent_option() -> None:
    with Server(Reply('{"balance": "1"}')) as server:
        async with client(server.url, user_agent="acme-app/2") as c:
            await c.call(Balance())
    assert server.requests[0].header("User-Agent") == "acme-app/2"


@pytest.mark.parametrize(
    ("op", "reply", "error", "code"),
    [
        (SEND, Reply('{"error": "invalid number", "error_code": 7, "id": 5}'), MessageRejectedError, 7),
        (Balance(), Reply('{"error": "authorise error", "error_code": 2}'), AuthenticationError, 2),
        (Ping(id=7, fmt=0), Reply("ERROR = 3 (not found)", content_type=TEXT), NotFoundError, 3),
        # An error envelope in another fmt than asked, as the live service does.
        (Balance(fmt=0), Reply('{"error": "duplicate request", "error_code": 9}'), RateLimitedError, 9),
    ],
)
async def test_api_errors_become_typed_exceptions(
    op: Op[Any], reply: Reply, error: type[Exception], code: int
) -> None:
    with Server(reply) as server:
        async with client(server.url) as c:
            with pytest.raises(error) as info:
                await c.call(op)
    assert getattr(info.value, "code", None) == code
    assert len(server.requests) == 1  # API errors are surfaced, not repeated


async def test_garbage_is_a_decode_error() -> None:
    with Server(Reply(b"\x00garbage}{", content_type=None)) as server:
        async with client(server.url) as c:
            with pytest.raises(DecodeError):
                await c.call(Balance())


async def test_html_502_is_retried_for_an_idempotent_op_then_a_decode_error() -> None:
    sleeps: list[float] = []
    with Server(default=BAD_GATEWAY) as server:
        async with client(server.url, sleep=recording(sleeps), max_attempts=3) as c:
            with pytest.raises(DecodeError, match="502"):
                await c.call(Balance())
    assert len(server.requests) == 3
    assert sleeps == [0.5, 1.0]  # the policy's backoff, slept by the transport


async def test_5xx_is_not_retried_for_send() -> None:
    with Server(default=BAD_GATEWAY) as server:
        async with client(server.url) as c:
            with pytest.raises(DecodeError):
                await c.call(SEND)
    assert len(server.requests) == 1


async def test_5xx_fails_over_to_the_backup_host() -> None:
    with (
        Server(Reply("", status=503, content_type=TEXT)) as main,
        Server(Reply('{"balance": "3.00"}')) as backup,
    ):
        async with client(main.url, backup.url) as c:
            assert (await c.call(Balance())).balance == Decimal("3.00")
    assert (len(main.requests), len(backup.requests)) == (1, 1)


@pytest.mark.parametrize(("op", "body"), [(SEND, '{"id": 1, "cnt": 1}'), (Balance(), '{"balance": "1"}')])
async def test_refused_main_host_fails_over_to_the_backup(op: Op[Any], body: str) -> None:
    with refusing_host() as dead, Server(Reply(body)) as backup:
        async with client(dead, backup.url) as c:
            await c.call(op)
    assert len(backup.requests) == 1


async def test_refused_everywhere_is_a_transport_error_marked_not_sent() -> None:
    with refusing_host() as dead:
        async with client(dead, max_attempts=2) as c:
            with pytest.raises(TransportError) as info:
                await c.call(SEND)
    assert info.value.sent is False
    assert "2 attempt(s)" in str(info.value)


async def test_send_is_not_retried_after_a_read_timeout() -> None:
    with Server(default=Reply('{"id": 1, "cnt": 1}', stall=30)) as server:
        async with client(server.url, read_timeout=0.3) as c:
            with pytest.raises(TransportError) as info:
                await c.call(SEND)
        assert len(server.requests) == 1
    assert info.value.sent is None
    assert "read timeout" in str(info.value)


async def test_balance_is_retried_after_a_read_timeout() -> None:
    with Server(Reply('{"balance": "1"}', stall=30), Reply('{"balance": "2"}')) as server:
        async with client(server.url, read_timeout=0.3) as c:
            assert (await c.call(Balance())).balance == Decimal("2")
    assert len(server.requests) == 2


async def test_rate_limit_is_enforced_locally() -> None:
    with Server(default=Reply('{"id": 1, "cnt": 1}')) as server:
        async with client(server.url, clock=lambda: 100.0) as c:
            await c.call(SEND)
            with pytest.raises(RateLimitedError) as info:
                await c.call(SEND)  # the same message again within a minute
    assert len(server.requests) == 1
    assert info.value.retry_after == pytest.approx(60.0)


async def test_rate_limits_can_be_disabled() -> None:
    with Server(default=Reply('{"id": 1, "cnt": 1}')) as server:
        async with client(server.url, clock=lambda: 100.0, rate_limits=False) as c:
            await c.call(SEND)
            await c.call(SEND)
    assert len(server.requests) == 2


@pytest.mark.parametrize("chunk", [None, 7])
async def test_stream_yields_the_items_of_a_list_result(chunk: int | None) -> None:
    with Server(Reply(MULTI_BODY, chunk=chunk), Reply(MULTI_BODY, chunk=chunk)) as server:
        async with client(server.url, rate_limits=False) as c:
            items = await collect(c, MULTI)
            assert await c.call(MULTI) == items
    assert [(item.id, item.status) for item in items] == [(3, 1), (4, 0)]


class _Pieces:
    """A stream decoder whose records are the raw chunks it is fed."""

    def feed(self, chunk: bytes) -> list[bytes]:
        return [chunk]

    def close(self) -> list[bytes]:
        return []


class _Raw(Balance, frozen=True, kw_only=True):
    def stream_decoder(self, head: HttpResponse) -> StreamDecoder[Any]:
        return _Pieces()


def raw() -> Op[list[bytes]]:
    """An op whose stream is its body's chunks (typed so: ``_Raw`` is a ``Balance``)."""
    return cast("Op[list[bytes]]", _Raw())


BIG = b"x" * 10_000


async def test_stream_feeds_the_decoder_as_chunks_arrive() -> None:
    with Server(Reply(BIG, chunk=500)) as server:
        async with client(server.url, chunk_size=16) as c:
            pieces = await collect(c, raw())
    assert b"".join(pieces) == BIG
    assert len(pieces) > 1 and max(map(len, pieces)) <= 16


async def test_leaving_a_stream_early_frees_its_slot() -> None:
    with Server(default=Reply(BIG)) as server:
        async with client(server.url, max_in_flight=1, rate_limits=False, chunk_size=16) as c:
            async with contextlib.aclosing(c.stream(raw())) as records:
                async for _record in records:
                    break  # most of the body is still unread
            # A leaked slot or pooled connection would make this wait forever.
            assert len(await asyncio.wait_for(collect(c, raw()), 10)) > 1
    assert len(server.requests) == 2


@pytest.mark.parametrize("streaming", [False, True])
async def test_reset_mid_body_is_a_transport_error(streaming: bool) -> None:
    reply = Reply(MULTI_BODY + " " * 100, reset_after=10)
    with Server(reply, default=Reply('{"balance": "2"}')) as server:
        async with client(server.url) as c:
            with pytest.raises(TransportError) as info:
                await (collect(c, MULTI) if streaming else c.call(MULTI))
            assert (await c.call(Balance(cur=1))).balance == Decimal("2")  # still usable
    assert info.value.sent is True
    assert "reading the body failed" in str(info.value)
    assert len(server.requests) == 2  # the accepted response is not re-requested


def _no_chain(exc: BaseException) -> None:
    """The error chains no aiohttp (or asyncio) exception: nothing of the I/O library leaks."""
    assert exc.__cause__ is None
    assert exc.__context__ is None
    shown = "".join(traceback.format_exception(exc))
    assert "During handling of the above exception" not in shown
    assert "direct cause" not in shown


async def test_transport_errors_chain_no_library_exception(tmp_path: Path) -> None:
    errors: list[TransportError] = []
    with refusing_host() as dead:
        async with client(dead, max_attempts=2) as c:
            with pytest.raises(TransportError) as refused:
                await c.call(SEND)
        errors.append(refused.value)
    with Server(default=Reply('{"id": 1, "cnt": 1}', stall=30)) as server:
        async with client(server.url, read_timeout=0.3) as c:
            with pytest.raises(TransportError) as timeout:
                await c.call(SEND)
        errors.append(timeout.value)
    for streaming in (False, True):
        with Server(Reply(MULTI_BODY + " " * 100, reset_after=10)) as server:
            async with client(server.url, rate_limits=False) as c:  # one mass status a minute per login
                with pytest.raises(TransportError) as reset:
                    await (collect(c, MULTI) if streaming else c.call(MULTI))
        errors.append(reset.value)
    made = self_signed(tmp_path)
    assert made is not None, "openssl is needed for the TLS case"
    with Server(Reply('{"balance": "5"}'), tls=made[1]) as server:
        async with client(server.url, max_attempts=1) as c:
            with pytest.raises(TransportError) as untrusted:
                await c.call(Balance())
        errors.append(untrusted.value)
    assert [e.sent for e in errors] == [False, None, True, True, False]
    for error in errors:
        _no_chain(error)


async def test_one_slot_survives_retries_resets_and_timeouts() -> None:
    """With one pooled connection, every failure path must give it back."""
    replies = [
        Reply("", status=503, content_type=TEXT),  # retried
        Reply('{"balance": "1"}' + " " * 50, reset_after=3),  # TransportError mid-body
        Reply('{"balance": "1"}', stall=30),  # read timeout, retried
        Reply('{"balance": "2"}'),
    ]
    outcomes: list[Any] = []
    with Server(*replies) as server:
        async with client(server.url, max_in_flight=1, rate_limits=False, read_timeout=0.3) as c:
            for _ in range(2):
                try:  # a leaked connection would wait forever
                    outcomes.append(await asyncio.wait_for(c.call(Balance()), 10))
                except TransportError as exc:
                    outcomes.append(exc)
    assert [type(o).__name__ for o in outcomes] == ["TransportError", "BalanceResult"]
    assert len(server.requests) == 4


async def test_in_flight_cap_holds_under_gather() -> None:
    with Server(default=Reply('{"balance": "1"}', stall=0.2)) as server:
        async with client(server.url, max_in_flight=2, rate_limits=False) as c:
            results = await asyncio.gather(*(c.call(Balance()) for _ in range(6)))
    assert len(results) == 6
    assert len(server.requests) == 6
    assert server.max_active <= 2


async def test_tls_is_verified(tmp_path: Path) -> None:
    made = self_signed(tmp_path)
    if made is None:
        pytest.skip("openssl is not available")
    cert, context = made
    with Server(Reply('{"balance": "5"}'), tls=context) as server:
        async with client(server.url, max_attempts=1) as c:
            with pytest.raises(TransportError) as info:
                await c.call(SEND)
        assert info.value.sent is False  # a rejected certificate: nothing was sent
        assert server.requests == []
        async with client(server.url, ca_certs=str(cert)) as c:
            assert (await c.call(Balance())).balance == Decimal("5")


async def test_logs_one_line_per_exchange(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="smsc")
    with Server(Reply('{"balance": "1"}')) as server:
        async with client(server.url) as c:
            await c.call(Balance())
    lines = [r.getMessage() for r in caplog.records if r.name == "smsc.call"]
    url = f"{server.url}/sys/balance.php"
    assert lines == [f"balance: POST {url}", f"balance: POST {url} -> HTTP 200"]


def test_hosts_must_be_a_sequence_of_urls() -> None:
    with pytest.raises(ValueError, match="not one string"):
        AsyncClient(CREDS, "https://smsc.ru")
    with pytest.raises(ValueError, match="base URL"):
        AsyncClient(CREDS, ["smsc.ru"])


def test_unknown_option_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="read_timout"):
        AsyncClient(CREDS, read_timout=3)


async def test_repr_shows_hosts_not_secrets() -> None:
    async with AsyncClient(CREDS, ["https://smsc.ru"]) as c:
        assert repr(c) == (
            "AsyncClient(hosts=('https://smsc.ru',), credentials=Credentials(login='acme', psw=<hidden>))"
        )


async def test_a_stream_cancelled_while_sending_gives_its_slots_back() -> None:
    # One slot in all: a stream cancelled before its answer came must leave it free.
    with Server(Reply(b"[]", stall=5.0), default=Reply(b'{"balance": "1.00"}')) as server:
        async with client(server.url, max_in_flight=1, rate_limits=False) as c:
            records = c.stream(JobsGetAll())
            waiting = asyncio.ensure_future(records.__anext__())
            while not server.requests:
                await asyncio.sleep(0.01)
            waiting.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiting
            await records.aclose()
            async with asyncio.timeout(2):
                assert (await c.call(Balance())).balance == Decimal("1.00")
