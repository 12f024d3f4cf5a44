"""Decode speed against the floor: a 10,000-record ``jobs.get_all`` answer in each fmt, in one run.

    python benchmarks/bench_decode.py [--records 10000] [--rounds 9]

For each fmt, ``JobsGetAll(fmt=...).decode(response)`` (charset, sniffing, envelope, layout,
typed ``JobSummary`` structs with dates and Decimal money) against the floor of floors.py
(msgspec, lxml or ``str.split`` into a Struct with the dates parsed). Both sides decode the
same body; the codec's records are checked against the floor's first. Measures alternate and
the best of ``--rounds`` is kept for each. Goal: every ratio at most 1.5.

The same body streamed (``op.stream_decoder`` fed 64 KiB chunks, as ``client.stream`` does:
records cut out as they arrive and decoded in batches, list_stream.py) against the same
floor. Goal: at most ``STREAM_GOAL``; cutting JSON into records is a regex pass over it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from floors import FLOORS, bodies

from smsc_proto import HttpResponse, JobsGetAll
from smsc_proto.op import Fmt

GOAL = 1.5
STREAM_GOAL = 2.5
CHUNK = 65536
FMTS: tuple[Fmt, ...] = (3, 2, 1, 0)


def best_of(measures: dict[str, Callable[[], Any]], rounds: int) -> dict[str, float]:
    best = dict.fromkeys(measures, float("inf"))
    for _ in range(rounds):
        for name, run in measures.items():
            start = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def same_records(fmt: Fmt, body: bytes) -> None:
    """The codec yields what the floor yields, record by record."""
    ours = JobsGetAll(fmt=fmt).decode(HttpResponse(200, {"Content-Type": "text/plain; charset=utf-8"}, body))
    floor = FLOORS[fmt](body)
    assert len(ours) == len(floor), (fmt, len(ours), len(floor))
    for mine, (job, changed, need_date, last_sent) in zip(ours, floor, strict=True):
        assert (mine.id, mine.name, mine.phones, mine.message) == (job.id, job.name, job.phones, job.message)
        assert (mine.changed, mine.need_date, mine.last_sent) == (changed, need_date, last_sent)
        assert (mine.cost, mine.phones_cnt, mine.status) == (job.cost, job.phones_cnt, job.status)


def _measures(fmt: Fmt, body: bytes) -> dict[str, Callable[[], Any]]:
    op = JobsGetAll(fmt=fmt)
    response = HttpResponse(200, {"Content-Type": "text/plain; charset=utf-8"}, body)
    floor = FLOORS[fmt]
    head = HttpResponse(200, response.headers)

    def stream() -> int:
        decoder = op.stream_decoder(head)
        count = sum(len(decoder.feed(body[at : at + CHUNK])) for at in range(0, len(body), CHUNK))
        return count + len(decoder.close())

    return {"floor": lambda: floor(body), "codec": lambda: op.decode(response), "stream": stream}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    failed = False
    print(f"jobs.get_all, {args.records:,} records")
    print(
        f"{'fmt':5} {'floor ms':>9} {'codec ms':>9} {'ratio':>6}  goal <= {GOAL}"
        f"   {'stream ms':>9} {'ratio':>6}  goal <= {STREAM_GOAL}"
    )
    all_bodies = bodies(args.records)
    for fmt in FMTS:
        body = all_bodies[fmt]
        same_records(fmt, body)
        measures = _measures(fmt, body)
        assert measures["stream"]() == args.records, fmt  # every record, streamed
        best = best_of(measures, args.rounds)
        ratio = best["codec"] / best["floor"]
        streamed = best["stream"] / best["floor"]
        failed |= ratio > GOAL or streamed > STREAM_GOAL
        verdict = "PASS" if ratio <= GOAL else "FAIL"
        stream_verdict = "PASS" if streamed <= STREAM_GOAL else "FAIL"
        print(
            f"{fmt:<5} {best['floor'] * 1e3:9.1f} {best['codec'] * 1e3:9.1f} {ratio:6.2f}  {verdict}"
            f"   {best['stream'] * 1e3:9.1f} {streamed:6.2f}  {stream_verdict}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
