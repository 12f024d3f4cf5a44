"""``RedisLimiter`` across processes (redis_worker.py), as across machines: the cap held by
every process of a login together, the leases of a SIGKILLed process coming back within a
lease (not at once), and the windows of identical requests shared."""

from __future__ import annotations

import time
from collections.abc import Callable

from redis_support import RedisServer, Worker
from smsc_redis import RedisLimiter
from smsc_urllib3 import Client
from transport_support import Reply, Server

from smsc_proto import Credentials, Send

Make = Callable[..., RedisLimiter]

LOGIN = {"login": "acme-shop", "psw": "Pa55-w0rd-xyz"}
CREDS = Credentials(login=LOGIN["login"], psw=LOGIN["psw"])


def test_processes_share_the_cap(redis_server: RedisServer, redis_prefix: str) -> None:
    """The issue's shared-cap test: 3 processes, each an AsyncClient making 12 concurrent
    calls, 3 rounds, through RedisLimiter(max_in_flight=4) on one Redis and login, against
    one slow server that records how many requests it is answering at once."""
    cap, processes, concurrent, rounds = 4, 3, 12, 3
    options = {**LOGIN, "url": redis_server.url, "prefix": redis_prefix, "limiter": {"max_in_flight": cap}}
    with Server(default=Reply('{"balance": "100.00"}', stall=0.05)) as server:
        workers = [
            Worker("calls", **options, host=server.url, concurrent=concurrent, rounds=rounds)
            for _ in range(processes)
        ]
        try:
            for worker in workers:
                assert worker.next() == {"ready": True}, worker.stderr()
            started = time.monotonic()
            for worker in workers:
                worker.tell("go")
            results = [worker.next(120) for worker in workers]
            seconds = time.monotonic() - started
        finally:
            for worker in workers:
                worker.close()
    calls = processes * concurrent * rounds
    print(
        f"\nshared cap: peak {server.max_active} requests in flight (cap {cap}) over {calls} calls "
        f"from {processes} processes x {concurrent} concurrent x {rounds} rounds, {seconds:.2f} s"
    )
    assert results == [{"ok": concurrent * rounds, "errors": []}] * processes
    assert len(server.requests) == calls
    # Never above the cap, and at it: the test fails both ways.
    assert server.max_active == cap


def test_the_leases_of_a_killed_process_come_back_within_a_lease(
    redis_server: RedisServer, redis_prefix: str, redis_limiter: Make
) -> None:
    lease = 1.5
    settings = {"max_in_flight": 2, "lease": lease, "socket_timeout": 0.5}
    worker = Worker("hold", **LOGIN, url=redis_server.url, prefix=redis_prefix, limiter=settings, slots=2)
    try:
        assert worker.next() == {"held": 2}, worker.stderr()
        limits = redis_limiter(**settings).login(CREDS)
        time.sleep(lease * 2)  # the worker renews its leases meanwhile
        assert not limits.try_slot()
        worker.process.kill()  # SIGKILL: no release, no goodbye
        worker.process.wait(10)
        killed = time.monotonic()
        assert not limits.try_slot()
        while not limits.try_slot():
            assert time.monotonic() - killed < lease + 2, "the killed process's leases never came back"
            time.sleep(0.02)
        back = time.monotonic() - killed
    finally:
        worker.close()
    print(f"\nleases of a SIGKILLed process back after {back:.2f} s (lease {lease} s)")
    # Renewed every lease / 3 until the kill: they expire between 2/3 of a lease and a lease
    # after it (a loaded machine may renew late: at least a third).
    assert lease / 3 <= back <= lease + 1.0
    assert limits.try_slot()
    limits.release_slot()
    limits.release_slot()


def test_an_identical_send_is_refused_in_another_process(
    redis_server: RedisServer, redis_prefix: str, redis_limiter: Make
) -> None:
    options = {**LOGIN, "url": redis_server.url, "prefix": redis_prefix, "phone": "79990000001", "mes": "Hi"}
    with Server(default=Reply('{"id": 5, "cnt": 1}')) as server:
        with Client(CREDS, hosts=[server.url], limiter=redis_limiter()) as client:
            client.call(Send(phones=["79990000001"], mes="Hi"))
        worker = Worker("send", **options, host=server.url)
        try:
            assert worker.next() == {"outcome": "RateLimitedError"}, worker.stderr()
        finally:
            worker.close()
        other = Worker("send", **{**options, "mes": "Another text"}, host=server.url)
        try:
            assert other.next() == {"outcome": "ok"}, other.stderr()
        finally:
            other.close()
    assert len(server.requests) == 2
