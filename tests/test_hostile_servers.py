"""Both clients against servers that misbehave, on loopback: dripping, huge, silent, slow,
resetting mid-body. Every call ends by its total_timeout, reads at most max_body_size,
fails over where the request provably never left, and every client of a login shares the
API's 14 requests in flight."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from hostile_server import HostileServer
from smsc_aiohttp import AsyncClient
from smsc_urllib3 import Client

from smsc_proto import (
    Balance,
    Credentials,
    DeadlineExceeded,
    DownloadsGetFile,
    HttpResponse,
    JobsGetAll,
    Op,
    ResponseTooLarge,
    Send,
    TransportError,
)

CREDS = Credentials(login="hostile", psw="hostile-password")
KINDS = ["urllib3", "aiohttp"]
SEND = Send(phones=["79991234567"], mes="Hi")
SENT = b'{"id": 5, "cnt": 1}'


def call(kind: str, hosts: list[str], op: Op[Any], **options: Any) -> Any:
    """``op`` through a fresh client of ``kind``."""
    if kind == "urllib3":
        with Client(CREDS, hosts=hosts, **options) as client:
            return client.call(op)

    async def run() -> Any:
        async with AsyncClient(CREDS, hosts=hosts, **options) as client:
            return await client.call(op)

    return asyncio.run(run())


def stream(kind: str, hosts: list[str], op: Op[list[Any]], **options: Any) -> list[Any]:
    if kind == "urllib3":
        with Client(CREDS, hosts=hosts, **options) as client:
            return list(client.stream(op))

    async def run() -> list[Any]:
        async with AsyncClient(CREDS, hosts=hosts, **options) as client:
            return [item async for item in client.stream(op)]

    return asyncio.run(run())


def timed(run: Callable[[], Any]) -> tuple[float, BaseException | None]:
    start = time.monotonic()
    try:
        run()
    except Exception as exc:
        return time.monotonic() - start, exc
    return time.monotonic() - start, None


@pytest.mark.parametrize("kind", KINDS)
def test_a_dripped_status_line_ends_at_the_total_timeout(kind: str) -> None:
    # A byte every 0.2 s keeps every read under read_timeout: only the deadline ends it.
    with HostileServer("drip_status", interval=0.2) as server:
        took, error = timed(lambda: call(kind, [server.url], Balance(), read_timeout=2, total_timeout=1))
    assert isinstance(error, DeadlineExceeded), error
    assert took < 2.5
    assert error.sent is None  # written, never answered: it may have arrived


@pytest.mark.parametrize("kind", KINDS)
def test_a_dripped_body_ends_at_the_total_timeout(kind: str) -> None:
    body = b'{"balance": "' + b"1" * 200 + b'"}'
    with HostileServer("drip_body", body=body, interval=0.2) as server:
        took, error = timed(lambda: call(kind, [server.url], Balance(), read_timeout=2, total_timeout=1))
    assert isinstance(error, DeadlineExceeded), error
    assert took < 2.5
    assert error.sent is True  # the server answered


@pytest.mark.parametrize("kind", KINDS)
def test_a_dripped_stream_ends_when_no_record_comes_in_time(kind: str) -> None:
    line = b"130|Sale|11.03.2024 10:20:30|||79991234567|Hi|1|4.80|0|SMSC|0\n"
    with HostileServer("drip_body", body=line * 20, interval=0.2) as server:
        took, error = timed(
            lambda: stream(kind, [server.url], JobsGetAll(fmt=0), read_timeout=2, total_timeout=1)
        )
    assert isinstance(error, DeadlineExceeded), error
    assert took < 2.5


@pytest.mark.parametrize("kind", KINDS)
def test_an_export_that_keeps_delivering_may_outlast_the_total_timeout(kind: str) -> None:
    row = b"79991234567;Delivered;4.80\r\n"
    body = b"phone;status;cost\r\n" + row * 8
    # One row every 0.25 s for 2 s: each in time, all of them past total_timeout.
    with HostileServer("drip_body", body=body, interval=0.25, piece=len(row)) as server:
        took, error = timed(lambda: stream(kind, [server.url], DownloadsGetFile(id=7), total_timeout=1))
    assert error is None
    assert took > 1.5


@pytest.mark.parametrize("kind", KINDS)
def test_a_slow_answer_ends_at_the_total_timeout(kind: str) -> None:
    with HostileServer("slow", interval=5) as server:
        took, error = timed(lambda: call(kind, [server.url], Balance(), total_timeout=0.5))
    assert isinstance(error, DeadlineExceeded), error
    assert took < 1.5


@pytest.mark.parametrize("kind", KINDS)
def test_a_backoff_past_the_deadline_is_not_waited(kind: str) -> None:
    with HostileServer("reset", body=b'{"balance": "' + b"1" * 100 + b'"}') as server:
        took, error = timed(
            lambda: call(kind, [server.url], Balance(), backoff=10, max_backoff=10, total_timeout=1)
        )
    assert isinstance(error, DeadlineExceeded), error
    assert took < 1


@pytest.mark.parametrize("kind", KINDS)
def test_an_announced_huge_answer_is_refused_before_reading(kind: str) -> None:
    with HostileServer("huge", size=200 * 2**20) as server:
        took, error = timed(lambda: call(kind, [server.url], Balance()))
        sent = server.sent_bytes
    assert isinstance(error, ResponseTooLarge), error
    assert error.sent is True
    assert took < 2
    assert sent < 32 * 2**20  # what the socket buffers took, not the 200 MB


@pytest.mark.parametrize("small", [None, 20], ids=["chunked", "chunked with a small Content-Length"])
@pytest.mark.parametrize("kind", KINDS)
def test_an_unannounced_huge_answer_is_read_up_to_the_cap_only(kind: str, small: int | None) -> None:
    with HostileServer("huge", size=100 * 2**20, announce=False, small=small) as server:
        took, error = timed(lambda: call(kind, [server.url], Balance(), max_body_size=2**20))
        sent = server.sent_bytes
    if small is not None and kind == "aiohttp":
        # aiohttp refuses both framings at once (request smuggling): nothing is read.
        assert isinstance(error, TransportError) and "Transfer-Encoding" in str(error), error
    else:
        # The lying length does not cut the read short of the cap: the chunks are what counts.
        assert isinstance(error, ResponseTooLarge), error
    assert took < 3
    assert sent < 32 * 2**20


@pytest.mark.parametrize("kind", KINDS)
def test_a_stalled_tls_handshake_never_left_so_a_send_fails_over(kind: str) -> None:
    with HostileServer("silent") as silent, HostileServer("slow", body=SENT, interval=0) as good:
        result = call(kind, [silent.tls_url, good.url], SEND, connect_timeout=0.5, backoff=0)
    assert result.id == 5
    assert good.requests == 1


@pytest.mark.parametrize("kind", KINDS)
def test_a_body_cut_short_is_retried_for_an_idempotent_call_only(kind: str) -> None:
    body = b'{"balance": "' + b"1" * 30 + b'"}'
    with HostileServer("reset", body=body) as broken, HostileServer("slow", body=body, interval=0) as good:
        assert call(kind, [broken.url, good.url], Balance(), backoff=0).balance == int(b"1" * 30)
        with pytest.raises(TransportError) as info:
            call(kind, [broken.url, good.url], SEND, backoff=0)
        assert good.requests == 1  # the send was not repeated: it had arrived
    assert info.value.sent is True
    assert "reading the body failed" in str(info.value)


def test_every_client_of_a_login_shares_its_fourteen_requests_in_flight() -> None:
    with HostileServer("slow", interval=0.3) as server:
        options: dict[str, Any] = {"rate_limits": False, "total_timeout": 30}
        sync_clients = [Client(CREDS, hosts=[server.url], **options) for _ in range(3)]
        threads = [
            threading.Thread(target=lambda c=c: [c.call(Balance()) for _ in range(2)])
            for c in sync_clients
            for _ in range(8)
        ]

        async def async_side() -> None:
            async with AsyncClient(CREDS, hosts=[server.url], **options) as client:
                await asyncio.gather(*(client.call(Balance()) for _ in range(16)))

        for thread in threads:
            thread.start()
        asyncio.run(async_side())
        for thread in threads:
            thread.join()
        for client in sync_clients:
            client.close()
    assert server.requests == 3 * 8 * 2 + 16
    assert server.most_in_flight == 14


async def test_a_large_answer_decodes_off_the_event_loop() -> None:
    record = b'{"id": 1, "name": "Sale", "changed": "11.03.2024 10:20:30", "cost": "4.80", "phones": "7999"}'
    body = b"[" + b",".join([record] * 150_000) + b"]"  # about 14 MB
    gaps: list[float] = []

    async def tick() -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.005)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0.02)
    # What decoding on the loop would stall it for, on this machine now.
    JobsGetAll().decode(HttpResponse(200, {}, body))
    await asyncio.sleep(0.02)
    on_loop = max(gaps)
    gaps.clear()
    with HostileServer("slow", body=body, interval=0) as server:
        async with AsyncClient(CREDS, hosts=[server.url]) as client:
            jobs = await client.call(JobsGetAll())
    ticker.cancel()
    assert len(jobs) == 150_000
    # The loop kept turning while the answer was decoded: stalled only while msgspec's C
    # part held the GIL, a fraction of the whole decode.
    assert max(gaps) < on_loop * 0.7, (max(gaps), on_loop)


def test_a_user_agent_that_would_split_a_header_is_refused_at_once() -> None:
    for bad in ("app\r\nX-Injected: 1", "app\n", "appé"):
        with pytest.raises(ValueError, match="user_agent"):
            Client(CREDS, user_agent=bad)
        with pytest.raises(ValueError, match="user_agent"):
            AsyncClient(CREDS, user_agent=bad)
