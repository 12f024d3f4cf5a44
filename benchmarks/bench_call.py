"""Call overhead on loopback: ``client.call(op)`` against a raw POST of the same form, in one run.

    python benchmarks/bench_call.py [--calls 500] [--rounds 25]

A fast keep-alive server in its own process (loopback_server.py) answers every POST with a
balance.php JSON answer. Each round times a batch of the baseline and one of the client back
to back (in turn first); the ratio is the median of the rounds' ratios, shown with the best
batch of each, per call:

- sync: ``smsc_urllib3.Client.call(Balance())`` / ``urllib3.PoolManager().request("POST",
  url, fields=<the same form>)``;
- async, one at a time: ``await AsyncClient.call(Balance())`` / ``await session.post(url,
  data=<the same form>)`` and its body read;
- async, 14 in flight: batches of 14 concurrent calls, the API's limit per login.

The client's rate limiter runs (its clock moves a minute per call, so it never refuses);
the decoded answer is checked once. Goal: every ratio at most 1.15.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path

import aiohttp
import urllib3

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loopback_server import LoopbackServer
from smsc_aiohttp import AsyncClient
from smsc_urllib3 import Client

from smsc_proto import Balance, Credentials

BODY = b'{"balance": "12.50"}'
GOAL = 1.15
IN_FLIGHT = 14
CREDENTIALS = Credentials(login="bench", psw="bench-password")


# The clock below jumps a minute per reading (so that rate limits never refuse a timed call):
# a call's total deadline on it must outlast its few readings.
_NO_DEADLINE = 3600.0


def _minute_clock() -> Callable[[], float]:
    ticks = itertools.count()
    return lambda: next(ticks) * 61.0


def paired(
    measures: dict[str, Callable[[], float]], rounds: int, over: tuple[str, str] = ("sdk", "raw")
) -> dict[str, float]:
    """Run the baseline and the client back to back ``rounds`` times, in turn first; the
    best seconds per call of each and the median of the rounds' ratios ``over[0]`` /
    ``over[1]`` (a machine that slows for a while slows both of a pair, so the median ratio
    is steadier than a ratio of bests)."""
    best = dict.fromkeys(measures, float("inf"))
    ratios = []
    for number in range(rounds):
        order = list(measures) if number % 2 == 0 else list(reversed(measures))
        seconds = {name: measures[name]() for name in order}
        for name, value in seconds.items():
            best[name] = min(best[name], value)
        ratios.append(seconds[over[0]] / seconds[over[1]])
    return {**best, "ratio": statistics.median(ratios)}


def sync_measures(url: str, calls: int) -> dict[str, Callable[[], float]]:
    op = Balance()
    form = dict(op.request(CREDENTIALS).fields)
    pool = urllib3.PoolManager(maxsize=1)
    client = Client(CREDENTIALS, hosts=[url], clock=_minute_clock(), total_timeout=_NO_DEADLINE)
    assert client.call(op).balance == Decimal("12.50"), "the client did not decode the answer"

    def raw() -> float:
        start = time.perf_counter()
        for _ in range(calls):
            assert pool.request("POST", url + op.path, fields=form, encode_multipart=False).data
        return (time.perf_counter() - start) / calls

    def sdk() -> float:
        start = time.perf_counter()
        for _ in range(calls):
            client.call(op)
        return (time.perf_counter() - start) / calls

    return {"raw": raw, "sdk": sdk}


def async_measures(url: str, calls: int, rounds: int) -> dict[str, dict[str, float]]:
    """The async pairs, each batch run to completion on one loop (so that ``paired``
    times them as it times the sync ones)."""
    op = Balance()
    form = dict(op.request(CREDENTIALS).fields)
    loop = asyncio.new_event_loop()
    run = loop.run_until_complete

    async def open_session() -> aiohttp.ClientSession:
        return aiohttp.ClientSession()

    session = run(open_session())
    client = AsyncClient(
        CREDENTIALS, hosts=[url], clock=_minute_clock(), total_timeout=_NO_DEADLINE, max_in_flight=IN_FLIGHT
    )
    try:
        assert run(client.call(op)).balance == Decimal("12.50"), "the client did not decode the answer"

        async def raw_one() -> None:
            async with session.post(url + op.path, data=form) as response:
                await response.read()

        async def sdk_one() -> None:
            await client.call(op)

        def timed(one: Callable[[], Awaitable[None]], width: int) -> Callable[[], float]:
            async def batches() -> float:
                count = max(1, calls // width)
                start = time.perf_counter()
                for _ in range(count):
                    if width == 1:
                        await one()
                    else:
                        await asyncio.gather(*(one() for _ in range(width)))
                return (time.perf_counter() - start) / (count * width)

            return lambda: run(batches())

        return {
            f"async, {width} in flight": paired(
                {"raw": timed(raw_one, width), "sdk": timed(sdk_one, width)}, rounds
            )
            for width in (1, IN_FLIGHT)
        }
    finally:
        run(client.close())
        run(session.close())
        loop.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=500, help="calls per batch")
    parser.add_argument("--rounds", type=int, default=25)
    args = parser.parse_args()
    with LoopbackServer(BODY) as url:
        results = {"sync": paired(sync_measures(url, args.calls), args.rounds)}
        results.update(async_measures(url, args.calls, args.rounds))
    failed = False
    print(f"{'measure':22} {'raw us/call':>12} {'client us/call':>15} {'ratio':>7}  goal <= {GOAL}")
    for name, best in results.items():
        ratio = best["ratio"]
        failed |= ratio > GOAL
        verdict = "PASS" if ratio <= GOAL else "FAIL"
        print(f"{name:22} {best['raw'] * 1e6:12.1f} {best['sdk'] * 1e6:15.1f} {ratio:7.2f}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
