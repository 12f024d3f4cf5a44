"""Decode speed of the codec against the bare parse of the same bodies, in one run.

    python benchmarks/bench_decode.py [--seconds 0.5]

For each (op, fmt) it times ``op.decode(response)`` (charset, envelope sniffing, layout,
typing into structs) and a baseline that only splits or parses the same body without typing
(``msgspec.json.decode`` for JSON, lxml for XML, ``str.split`` for text), and prints the ratio.
The ratio is the cost of the codec's guarantees per answer; both sides run on this machine now.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from functools import partial

import msgspec

from smsc_proto import Balance, HttpResponse, Op, Send, Status

JSON = {"Content-Type": "application/json; charset=utf-8"}
TEXT = {"Content-Type": "text/plain; charset=utf-8"}

STATUS_ALL1 = (
    "Status = 1, check_time = 10.10.2010 10:10:10, err = 0, send_date = 10.10.2010 10:09:00, "
    "phone = 79991234567, cost = 1.40, sender_id = SMSC, status_name = Delivered, "
    "message = Hello, world, comment = , type = 0"
)
MULTI = "\n".join(f"1,1286524541,0,{i},7999123{i:04d}" for i in range(200))

CASES: list[tuple[str, Op, dict[str, str], bytes]] = [
    ("send fmt=3", Send(phones=["79991234567"], mes="hi"), JSON, b'{\n"id": 33,\n"cnt": 1\n}'),
    ("send fmt=0", Send(phones=["79991234567"], mes="hi", fmt=0), TEXT, b"OK - 1 SMS, ID - 1234"),
    ("balance fmt=1", Balance(fmt=1), TEXT, b"1871.62"),
    ("balance fmt=2", Balance(fmt=2), TEXT, b"<balance>1871.62</balance>"),
    ("status all=1 fmt=0", Status(phone=["7999"], id=[1], all=1, fmt=0), TEXT, STATUS_ALL1.encode()),
    (
        "status 200 ids fmt=1",
        Status(phone=[f"7999123{i:04d}" for i in range(200)], id=list(range(1, 201)), fmt=1),
        TEXT,
        MULTI.encode(),
    ),
]


def baseline_for(body: bytes) -> Callable[[], object]:
    text = body.decode()
    if text.startswith(("{", "[")):
        return lambda: msgspec.json.decode(body)
    if text.startswith("<"):
        from lxml import etree

        return lambda: etree.fromstring(body)
    return lambda: [line.split(",") for line in text.splitlines()]


def rate(fn: Callable[[], object], seconds: float) -> float:
    """Calls per second, best of three timed batches."""
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= seconds / 3:
            break
        n *= 2
    best = elapsed
    for _ in range(2):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, time.perf_counter() - start)
    return n / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=0.5)
    args = parser.parse_args()
    print(f"{'case':24} {'decode/s':>12} {'bare parse/s':>14} {'ratio':>8}")
    for name, op, headers, body in CASES:
        response = HttpResponse(200, headers, body)
        op.decode(response)  # fail early if the case itself is wrong
        codec = rate(partial(op.decode, response), args.seconds)
        bare = rate(baseline_for(body), args.seconds)
        print(f"{name:24} {codec:12,.0f} {bare:14,.0f} {bare / codec:7.1f}x")
    print("ratio = how many times slower typed decoding is than the bare parse of the same body")


if __name__ == "__main__":
    main()
