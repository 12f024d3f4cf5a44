"""``RedisLimiter`` when Redis cannot be used: failing closed (``LimiterUnavailable`` from
``Client.call`` and ``AsyncClient.call``, nothing sent, no part of the URL's password
anywhere), falling back to this process's limits with ``on_unavailable="local"`` (one
WARNING; the leases still held in Redis counted), Redis used again once it is back, and a
failed renewal or release leaving the calls going."""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from typing import Any

import pytest
from redis_support import RedisServer, free_port
from smsc_aiohttp import AsyncClient
from smsc_redis import RedisLimiter
from smsc_urllib3 import Client
from transport_support import Reply, Server

from smsc_proto import Balance, Credentials, LimiterUnavailable
from smsc_proto.limits import login_digest, login_limits

CREDS = Credentials(login="acme-shop", psw="Pa55-w0rd-xyz")
BALANCE = Reply('{"balance": "100.00"}')
SECRET = "s3cr3tpass"


def dead_url() -> str:
    return f"redis://user:{SECRET}@127.0.0.1:{free_port()}/0"


def assert_hidden(text: str) -> None:
    """No part of the password (4 characters or more) in ``text``."""
    for start in range(len(SECRET) - 3):
        for end in range(start + 4, len(SECRET) + 1):
            assert SECRET[start:end] not in text, text


def everything_about(error: BaseException) -> str:
    """The error as every reader sees it: str, repr, the whole traceback with its chain."""
    parts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    link: BaseException | None = error
    while link is not None:
        parts += [str(link), repr(link)]
        link = link.__cause__ or link.__context__
    return "\n".join(parts)


def limiter_logs(caplog: pytest.LogCaptureFixture, level: int) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "smsc.limits" and r.levelno == level]


# -- failing closed ---------------------------------------------------------------------------


# With rate limits, the window's count asks Redis first; without, the slot's lease.
@pytest.mark.parametrize("rate_limits", [True, False], ids=["window", "slot"])
def test_redis_down_fails_a_sync_call_closed_with_nothing_sent(
    rate_limits: bool, caplog: pytest.LogCaptureFixture
) -> None:
    url = dead_url()
    limiter = RedisLimiter(url, socket_timeout=0.5)
    with (
        Server(default=BALANCE) as server,
        Client(CREDS, hosts=[server.url], limiter=limiter, rate_limits=rate_limits) as client,
    ):
        with pytest.raises(LimiterUnavailable) as info:
            client.call(Balance())
        with pytest.raises(LimiterUnavailable):  # again, at once (Redis is not asked again yet)
            client.call(Balance())
    assert server.requests == []
    error = info.value
    assert error.sent is False and error.op == "limits"
    port = url.rsplit(":", 1)[1].split("/")[0]
    assert f"Redis at 127.0.0.1:{port} unreachable (ConnectionError" in error.reason
    assert error.__cause__ is None and error.__context__ is None
    assert_hidden(everything_about(error))
    assert_hidden(repr(limiter))
    assert_hidden(caplog.text)
    assert len(limiter_logs(caplog, logging.WARNING)) == 1
    limiter.close()


@pytest.mark.parametrize("rate_limits", [True, False], ids=["window", "slot"])
async def test_redis_down_fails_an_async_call_closed_with_nothing_sent(
    rate_limits: bool, caplog: pytest.LogCaptureFixture
) -> None:
    limiter = RedisLimiter(dead_url(), socket_timeout=0.5)
    with Server(default=BALANCE) as server:
        client = AsyncClient(CREDS, hosts=[server.url], limiter=limiter, rate_limits=rate_limits)
        try:
            with pytest.raises(LimiterUnavailable) as info:
                await client.call(Balance())
        finally:
            await client.close()
            await limiter.aclose()
    assert server.requests == []
    assert info.value.sent is False
    assert "unreachable (ConnectionError" in info.value.reason
    assert_hidden(everything_about(info.value))
    assert_hidden(caplog.text)


def test_wrong_credentials_fail_closed_without_showing_them(caplog: pytest.LogCaptureFixture) -> None:
    with RedisServer(password="the-right-one") as redis_server, Server(default=BALANCE) as server:
        limiter = RedisLimiter(f"redis://user:{SECRET}@127.0.0.1:{redis_server.port}/0", socket_timeout=0.5)
        with (
            Client(CREDS, hosts=[server.url], limiter=limiter) as client,
            pytest.raises(LimiterUnavailable) as info,
        ):
            client.call(Balance())
        limiter.close()
    assert server.requests == []
    assert "Error" in info.value.reason  # AuthenticationError, or the server's own refusal
    assert_hidden(everything_about(info.value))
    assert_hidden(caplog.text)


def test_redis_back_is_used_again_when_failing_closed(redis_prefix: str) -> None:
    with RedisServer() as redis_server, Server(default=BALANCE) as server:
        limiter = RedisLimiter(redis_server.url, socket_timeout=0.5, retry_interval=0.3, prefix=redis_prefix)
        with Client(CREDS, hosts=[server.url], limiter=limiter, rate_limits=False) as client:
            client.call(Balance())
            redis_server.stop()
            with pytest.raises(LimiterUnavailable):
                client.call(Balance())
            redis_server.start()  # the same port, empty
            time.sleep(0.35)
            assert client.call(Balance()).balance == 100
        limiter.close()
    assert len(server.requests) == 2


# -- falling back to this process's limits ----------------------------------------------------


def test_local_fallback_goes_through_with_one_warning_and_redis_back_is_used_again(
    caplog: pytest.LogCaptureFixture, redis_prefix: str
) -> None:
    caplog.set_level(logging.INFO, logger="smsc.limits")
    with RedisServer() as redis_server, Server(default=BALANCE) as server:
        limiter = RedisLimiter(
            redis_server.url,
            on_unavailable="local",
            socket_timeout=0.5,
            retry_interval=0.3,
            prefix=redis_prefix,
        )
        limits = limiter.login(CREDS)
        local = login_limits(CREDS)
        slots = f"{redis_prefix}:{login_digest(CREDS)}:slots"
        with Client(CREDS, hosts=[server.url], limiter=limiter) as client:
            client.call(Balance())  # through Redis
            redis_server.stop()
            for _ in range(5):
                assert client.call(Balance()).balance == 100  # through this process's limits
            assert len(limiter_logs(caplog, logging.WARNING)) == 1
            assert (
                "counting the limits in this process only" in limiter_logs(caplog, logging.WARNING)[0].message
            )
            assert limits.try_slot()  # a slot of this process's limits...
            assert local.in_flight == 1
            redis_server.start()
            time.sleep(0.35)
            assert client.call(Balance()).balance == 100  # Redis again
            assert [r.message for r in limiter_logs(caplog, logging.INFO)] == [
                f"127.0.0.1:{redis_server.port} answers again: the limits are shared through it again"
            ]
            limits.release_slot()  # ...goes back there, not to Redis
            assert local.in_flight == 0
            assert limits.try_slot()  # and the next one is a lease in Redis
            assert redis_server.client().zcard(slots) == 1
            limits.release_slot()
            assert redis_server.client().zcard(slots) == 0
        limiter.close()
    assert len(server.requests) == 7
    assert len(limiter_logs(caplog, logging.WARNING)) == 1


def test_local_fallback_keeps_the_cap(caplog: pytest.LogCaptureFixture) -> None:
    limiter = RedisLimiter(dead_url(), on_unavailable="local", max_in_flight=2, socket_timeout=0.5)
    limits = limiter.login(CREDS)
    assert [limits.try_slot() for _ in range(3)] == [True, True, False]
    limits.release_slot()
    limits.release_slot()
    assert login_limits(CREDS).in_flight == 0
    assert len(limiter_logs(caplog, logging.WARNING)) == 1
    assert_hidden(caplog.text)


async def test_local_fallback_counts_the_leases_still_held_in_redis(redis_prefix: str) -> None:
    with RedisServer() as redis_server:
        limiter = RedisLimiter(
            redis_server.url, on_unavailable="local", max_in_flight=4, socket_timeout=0.5, prefix=redis_prefix
        )
        limits = limiter.login(CREDS)
        assert [limits.try_slot() for _ in range(3)] == [True] * 3  # leases in Redis
        redis_server.stop()
        # Their requests are still in flight: 4 - 3 local slots, not 4.
        assert [limits.try_slot() for _ in range(3)] == [True, False, False]
        for _ in range(4):
            limits.release_slot()
        assert login_limits(CREDS).in_flight == 0
        assert limits.try_slot()  # every slot back
        limits.release_slot()
        limiter.close()


@pytest.mark.parametrize("refused", ["renewal", "release", "async release"])
def test_a_failed_renewal_or_release_leaves_the_calls_going(
    refused: str, redis_prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    lease = 0.9
    with RedisServer() as redis_server:
        admin = redis_server.client()
        admin.acl_setuser("worker", enabled=True, passwords=["+worker-pw"], keys=["*"], commands=["+@all"])
        url = f"redis://worker:worker-pw@127.0.0.1:{redis_server.port}/0"
        limiter = RedisLimiter(url, lease=lease, socket_timeout=0.3, prefix=redis_prefix)
        limits, async_limits = limiter.login(CREDS), limiter.async_login(CREDS)

        async def async_release() -> None:
            assert await async_limits.try_slot()
            await async_limits.release_slot()  # refused
            await limiter.aclose()

        assert limits.try_slot()
        # Renewals (ZSCORE in their script) and releases (ZREM) refused; taking a slot is not.
        admin.acl_setuser("worker", enabled=True, commands=["-zscore", "-zrem"])
        if refused == "renewal":
            time.sleep(lease)  # the renewals fail meanwhile
        elif refused == "release":
            limits.release_slot()
        else:
            asyncio.run(async_release())
        assert limits.try_slot()  # not LimiterUnavailable: Redis answers the calls
        admin.acl_setuser("worker", enabled=True, commands=["+zscore", "+zrem"])
        for _ in range(2):
            limits.release_slot()
        limiter.close()
        admin.close()
    assert not [r for r in caplog.records if "unreachable" in r.getMessage()]


async def test_local_fallback_for_async_clients(caplog: pytest.LogCaptureFixture) -> None:
    limiter = RedisLimiter(dead_url(), on_unavailable="local", socket_timeout=0.5)
    with Server(default=BALANCE) as server:
        client = AsyncClient(CREDS, hosts=[server.url], limiter=limiter)
        try:
            results = await asyncio.gather(*(client.call(Balance()) for _ in range(5)))
        finally:
            await client.close()
            await limiter.aclose()
    assert [r.balance for r in results] == [100] * 5
    assert len(server.requests) == 5
    assert len(limiter_logs(caplog, logging.WARNING)) == 1
    assert_hidden(caplog.text)


def test_a_client_keeps_its_slots_after_limiter_unavailable() -> None:
    limiter = RedisLimiter(dead_url(), socket_timeout=0.5, retry_interval=0.1)
    # One slot of its own: a second call would wait for it (until its deadline) if kept.
    one_slot: dict[str, Any] = {
        "limiter": limiter,
        "rate_limits": False,
        "max_in_flight": 1,
        "total_timeout": 1.0,
    }
    with Client(CREDS, hosts=["http://127.0.0.1:9"], **one_slot) as client:
        for _ in range(2):  # the second finds the client's one slot free, not taken
            with pytest.raises(LimiterUnavailable):
                client.call(Balance())

    async def twice() -> None:
        async_client = AsyncClient(CREDS, hosts=["http://127.0.0.1:9"], **one_slot)
        try:
            for _ in range(2):
                with pytest.raises(LimiterUnavailable):
                    await async_client.call(Balance())
        finally:
            await async_client.close()
            await limiter.aclose()

    asyncio.run(twice())
