"""Every decoder is linear in its input: hostile bodies of 10 KB and 100 KB, decoded whole
and streamed in 5-byte chunks, end (result or typed error) with time growing about tenfold.

The bodies are the shapes that once made a decoder quadratic (a regex backtracking over a
run of blanks, a lazy group re-trying every comma, a header of repeated names, a quoted
field re-parsed with every line) and generic runs of the tokens every format uses. A
quadratic decoder takes seconds at 100 KB where a linear one takes milliseconds; a ratio is
only trusted when the large body takes long enough to time, and re-measured before failing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from property_support import CODEC_ERRORS, samples

from smsc_proto import OPS, HttpResponse, Op

SMALL = 10_000
# Ten times the body: linear is ~10x, quadratic ~100x; noise on a busy machine stays below.
MAX_GROWTH = 30
# Below this, a 100 KB decode is fast whatever its growth: no quadratic decoder gets there.
MEASURABLE_SECONDS = 0.15
CHUNK = 5


def _repeat(unit: bytes, size: int) -> bytes:
    return unit * max(1, size // len(unit))


HOSTILE: dict[str, Callable[[int], bytes]] = {
    "envelope key, blanks": lambda n: b"ERROR = 1" + b" " * n + b"x",
    "number, blanks": lambda n: b"1" + b" " * n + b"x",
    "number, comma, blanks": lambda n: b"1," + b" " * n + b"x",
    "dash, blanks": lambda n: b"name -" + b" " * n + b"x",
    "short lines": lambda n: _repeat(b"1\n", n),
    "csv lines": lambda n: _repeat(b"a,b\n", n),
    "semicolon lines": lambda n: _repeat(b"1;2;3\n", n),
    "comma runs": lambda n: b"1," + _repeat(b"x,1,,,", n) + b"\x01",
    "repeated quoted names": lambda n: _repeat(b'"a",', n),
    "repeated names": lambda n: b"a;" * (n // 2) + b"\n1",
    "open quote, many lines": lambda n: b'a;b\n1;"' + _repeat(b'x""\n', n),
    "pairs, blanks": lambda n: b"cnt = 1," + b" " * n + b"cost = 1",
    "digits": lambda n: b"9" * n,
    "xml elements": lambda n: b"<r>" + _repeat(b"<a/>", n) + b"</r>",
    "json objects": lambda n: b"[" + _repeat(b"{},", n) + b"{}]",
    "nesting": lambda n: b"[" * n,
}

HEADERS: tuple[dict[str, str], ...] = ({}, {"Content-Type": "text/csv; charset=utf-8"})


def _decode_seconds(op: Op[Any], headers: dict[str, str], body: bytes, chunk: int) -> float:
    started = time.perf_counter()
    try:
        if chunk:
            decoder = op.stream_decoder(HttpResponse(200, headers))
            for start in range(0, len(body), chunk):
                decoder.feed(body[start : start + chunk])
            decoder.close()
        else:
            op.decode(HttpResponse(200, headers, body))
    except CODEC_ERRORS:
        pass
    return time.perf_counter() - started


def _growth(
    op: Op[Any], headers: dict[str, str], make: Callable[[int], bytes], chunk: int
) -> tuple[float, float]:
    """(seconds for the large body, large/small ratio), the best of up to three tries."""
    small, large = make(SMALL), make(10 * SMALL)
    best = (float("inf"), float("inf"))
    for _ in range(3):
        large_seconds = _decode_seconds(op, headers, large, chunk)
        ratio = large_seconds / max(_decode_seconds(op, headers, small, chunk), 1e-6)
        best = min(best, (large_seconds, ratio), key=lambda m: m[1])
        if large_seconds < MEASURABLE_SECONDS or ratio <= MAX_GROWTH:
            return large_seconds, ratio
    return best


def _ops(op_id: str) -> list[Op[Any]]:
    """One instance per fmt (the decoders differ by fmt)."""
    by_fmt: dict[int, Op[Any]] = {}
    for sample in samples():
        if sample.op_id == op_id:
            by_fmt.setdefault(sample.fmt, sample.op)
    return list(by_fmt.values())


@pytest.mark.parametrize("op_id", sorted(OPS))
def test_hostile_bodies_decode_in_linear_time(op_id: str) -> None:
    slow = []
    for op in _ops(op_id):
        for name, make in HOSTILE.items():
            for headers in HEADERS:
                for chunk in (0, CHUNK):
                    seconds, ratio = _growth(op, headers, make, chunk)
                    if seconds >= MEASURABLE_SECONDS and ratio > MAX_GROWTH:
                        how = f"in {chunk}-byte chunks" if chunk else "whole"
                        slow.append(f"{op!r} {name!r} {headers} {how}: {seconds:.2f}s, x{ratio:.0f}")
    assert not slow, "decoding time grows faster than the input:\n" + "\n".join(slow)
