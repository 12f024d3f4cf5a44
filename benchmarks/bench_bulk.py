"""Bulk send throughput: ``smsc_bulk.send_bulk_async`` against raw aiohttp posts of the same
requests, in one run.

    python benchmarks/bench_bulk.py [--recipients 20000] [--per-request 10] [--concurrency 8]
                                    [--rounds 4] [--journal-dir DIR]

Both send to the sandbox emulator, in a process of its own as the service is (``python -m
smsc_conformance.emulator --sandbox``): in this process it would share the interpreter
with the sender, and every microsecond either spends would slow the other. The input:
``--recipients`` distinct numbers, texts ``Code 0 <run>`` .. ``Code 199 <run>``
interleaved (new texts each run: the sandbox refuses the same text to the same numbers
within a minute), ``--per-request`` recipients a ``send`` request (2,000 requests by
default), ``--concurrency`` requests in flight:

- raw (the baseline): the SDK's own batches (``BulkPlanner``, each numbered and given a
  message id as the journal does), encoded before the clock starts
  (``batch.send().request(credentials).body``); C tasks pull the bodies from a queue and
  POST them to ``/sys/send.php`` with the same Content-Type through one
  ``aiohttp.ClientSession`` (connector limit C), each answer read whole;
- sdk: ``send_bulk_async(AsyncClient(credentials), messages, journal, concurrency=C,
  max_recipients=M)`` with the default ``durable=True``: planning, the SQLite journal (a new
  file each run, every request committed with ``synchronous=FULL`` before it leaves), the
  client (its rate limiter reset first, as in a new process) and the typed answers;
- sdk, durable=False: the same, the journal not waiting for the disk (shown, no goal).

Neither can pass by failing fast: after every run the sandbox's balance must have gone
down by the price of every message, every raw answer must be HTTP 200 without an
``error`` and count its recipients, and the SDK's report must say all sent in as many
requests. Each round runs the measures back to back (in turn first). Shown: each run's
requests/s; then the median requests/s of each measure, the CPU time of the sending thread
per request, and the median of the rounds' sdk/raw. Goal: sdk / raw at least 0.9 (exit
status 1 below).

The journal goes in a temporary folder (``--journal-dir`` to choose where): on a tmpfs
(some systems' /tmp) ``durable=True`` costs nothing, so measure on the disk a journal lives on.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import msgspec
from smsc_aiohttp import AsyncClient
from smsc_bulk import BulkReport, send_bulk_async
from smsc_conformance.sandbox import PRICE
from smsc_urllib3 import Client

from smsc_proto import Balance, Credentials
from smsc_proto.bulk import BulkMessage, BulkPlanner
from smsc_proto.limits import reset as reset_limits

GOAL = 0.9
CREDENTIALS = Credentials(login="bench", psw="bench-password")
TEXTS = 200
SEND_PATH = "/sys/send.php"
FORM = "application/x-www-form-urlencoded"
BALANCE = Decimal(10**9)
T = TypeVar("T")


class Run(msgspec.Struct, frozen=True):
    """One timed run: requests/s and the sending thread's CPU seconds per request."""

    rate: float
    cpu: float


def messages(count: int, run: int) -> list[BulkMessage]:
    """``count`` recipients, distinct numbers, ``TEXTS`` texts of ``run`` interleaved."""
    return [BulkMessage(f"7999{n:07d}", f"Code {n % TEXTS} {run}") for n in range(count)]


def raw_requests(
    items: list[BulkMessage], max_recipients: int, tag: str
) -> tuple[list[bytes], dict[str, str]]:
    """The bodies of the SDK's requests for ``items`` (its planner; numbers and message ids
    as the journal gives them, ``tag`` in place of the journal's run), and their headers."""
    planner = BulkPlanner(max_recipients)
    batches = []
    for row, message in enumerate(items):
        batches.extend(planner.add(row, message))
    batches.extend(planner.flush())
    bodies = []
    headers: dict[str, str] = {}
    for number, batch in enumerate(batches, 1):
        numbered = msgspec.structs.replace(batch, number=number, message_id=f"{tag}-{number}")
        request = numbered.send().request(CREDENTIALS)
        assert request.method == "POST" and request.path == SEND_PATH, request
        assert (request.content_type or "").startswith(FORM), request.content_type
        headers = dict(request.headers)
        bodies.append(request.body)
    return bodies, headers


async def post_all(
    url: str, bodies: list[bytes], headers: dict[str, str], concurrency: int
) -> list[tuple[int, bytes]]:
    """POST every body, ``concurrency`` at a time (tasks pulling from a queue, one session
    whose connector holds as many connections): the status and body of each answer."""
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    answers: list[tuple[int, bytes]] = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:

        async def worker() -> None:
            while not queue.empty():
                body = queue.get_nowait()
                async with session.post(url, data=body, headers=headers) as response:
                    answers.append((response.status, await response.read()))

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return answers


def sent_by(answers: list[tuple[int, bytes]]) -> int:
    """The recipients the raw answers count; AssertionError on any refusal."""
    total = 0
    for status, body in answers:
        answer = msgspec.json.decode(body) if status == 200 else None
        assert isinstance(answer, dict) and "error" not in answer, f"raw: HTTP {status} {body[:200]!r}"
        total += int(answer["cnt"])
    return total


class Sandbox:
    """The sandbox emulator in a process of its own."""

    def __init__(self) -> None:
        command = [sys.executable, "-m", "smsc_conformance.emulator", "--sandbox", "--balance", str(BALANCE)]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        banner = self.process.stdout.readline()  # "SMSC sandbox on http://127.0.0.1:N: ..."
        self.base_url = banner.split(" on ", 1)[1].split(": ", 1)[0]
        self._client = Client(CREDENTIALS, hosts=[self.base_url], rate_limits=False)

    def balance(self) -> Decimal:
        return self._client.call(Balance()).balance

    def close(self) -> None:
        self._client.close()
        self.process.terminate()
        self.process.wait()


class Bench:
    """The measures, on one event loop, against one sandbox."""

    def __init__(self, sandbox: Sandbox, args: argparse.Namespace) -> None:
        self.sandbox = sandbox
        self.args = args
        self.requests = len(raw_requests(messages(args.recipients, 0), args.per_request, "count")[0])
        self.loop = asyncio.new_event_loop()
        self.runs = 0

    def _items(self) -> list[BulkMessage]:
        self.runs += 1
        return messages(self.args.recipients, self.runs)

    def _timed(self, work: Coroutine[Any, Any, T]) -> tuple[T, float, float]:
        """The result, wall seconds and CPU seconds of this thread."""
        start, cpu = time.perf_counter(), time.thread_time()
        result = self.loop.run_until_complete(work)
        return result, time.perf_counter() - start, time.thread_time() - cpu

    def _charged(self, before: Decimal, name: str) -> None:
        charged = before - self.sandbox.balance()
        expected = PRICE * self.args.recipients
        assert charged == expected, f"{name}: the sandbox charged {charged}, not {expected}"

    def raw(self) -> Run:
        items, before = self._items(), self.sandbox.balance()
        bodies, headers = raw_requests(items, self.args.per_request, f"bench{self.runs:03d}")
        url = self.sandbox.base_url + SEND_PATH
        answers, seconds, cpu = self._timed(post_all(url, bodies, headers, self.args.concurrency))
        assert len(answers) == len(bodies) == self.requests, f"raw: {len(answers)} answers"
        assert sent_by(answers) == self.args.recipients, "raw: not every recipient was sent"
        self._charged(before, "raw")
        return Run(len(bodies) / seconds, cpu / len(bodies))

    def sdk(self, durable: bool) -> Run:
        items, before = self._items(), self.sandbox.balance()
        reset_limits()  # the limiter's windows, as in a new process
        with tempfile.TemporaryDirectory(prefix="bench-bulk-", dir=self.args.journal_dir) as folder:

            async def run() -> BulkReport:
                async with AsyncClient(CREDENTIALS, hosts=[self.sandbox.base_url]) as client:
                    return await send_bulk_async(
                        client,
                        items,
                        Path(folder) / "bulk.journal",
                        concurrency=self.args.concurrency,
                        max_recipients=self.args.per_request,
                        durable=durable,
                    )

            report, seconds, cpu = self._timed(run())
        assert report.sent == self.args.recipients and report.complete, f"sdk: {report}"
        assert report.requests == self.requests, f"sdk: {report.requests} requests"
        self._charged(before, "sdk")
        return Run(report.requests / seconds, cpu / report.requests)

    def close(self) -> None:
        self.loop.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=20_000)
    parser.add_argument("--per-request", type=int, default=10, help="recipients a send request")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--journal-dir", default=None, help="where the journals go (default: a temp folder)")
    args = parser.parse_args()
    sandbox = Sandbox()
    try:
        bench = Bench(sandbox, args)
        print(
            f"send_bulk_async (planner, durable SQLite journal, AsyncClient) against raw aiohttp POSTs of"
            f" the same {bench.requests:,} send requests ({args.recipients:,} recipients,"
            f" {args.per_request} a request), {args.concurrency} in flight, to the sandbox emulator"
            " in a process of its own",
            flush=True,
        )
        measures: dict[str, Callable[[], Run]] = {
            "raw": bench.raw,
            "sdk": lambda: bench.sdk(durable=True),
            "sdk, durable=False": lambda: bench.sdk(durable=False),
        }
        runs: dict[str, list[Run]] = {name: [] for name in measures}
        try:
            for number in range(args.rounds):
                order = list(measures) if number % 2 == 0 else list(reversed(measures))
                for name in order:
                    runs[name].append(measures[name]())
                rates = ", ".join(f"{name} {runs[name][-1].rate:,.0f}" for name in measures)
                print(f"round {number + 1} ({order[0]} first): {rates} requests/s", flush=True)
        finally:
            bench.close()
    finally:
        sandbox.close()

    def ratio(name: str) -> float:
        return statistics.median(s.rate / r.rate for s, r in zip(runs[name], runs["raw"], strict=True))

    print(f"{'measure':20} {'requests/s':>11} {'CPU us/request':>15} {'sdk/raw':>8}  goal >= {GOAL}")
    failed = False
    for name, measured in runs.items():
        rate = statistics.median(run.rate for run in measured)
        cpu = statistics.median(run.cpu for run in measured) * 1e6
        line = f"{name:20} {rate:11,.0f} {cpu:15,.0f}"
        if name == "sdk":
            failed = ratio(name) < GOAL
            line += f" {ratio(name):8.2f}  {'FAIL' if failed else 'PASS'}"
        elif name != "raw":
            line += f" {ratio(name):8.2f}  (information)"
        print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
