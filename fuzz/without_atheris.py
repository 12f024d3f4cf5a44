"""The fuzz step where atheris cannot be installed (macOS, Windows, no clang): each op's
harness (``harness.make_target``, the very ``TestOneInput`` atheris drives) is given its seed
corpus and inputs that hypothesis mutates from it: bytes flipped, cut, repeated and spliced
with the tokens the decoders look for. No coverage guidance, so it finds less than atheris;
``run_all.py`` says which of the two ran.

    python fuzz/without_atheris.py [--runs N] [op id ...]
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings, strategies as st

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from harness import make_target  # noqa: E402
from inputs import HEADER, encode  # noqa: E402
from seeds import TOKENS  # noqa: E402

__all__ = ["fuzz_op", "main"]


@st.composite
def _mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        at = draw(st.integers(min_value=0, max_value=len(data)))
        kind = draw(st.integers(min_value=0, max_value=4))
        if kind == 0 and at < len(data):  # flip a byte
            data[at] = draw(st.integers(min_value=0, max_value=255))
        elif kind == 1:  # cut the rest
            del data[max(at, HEADER) :]
        elif kind == 2:  # a token the decoders look for
            data[at:at] = draw(st.sampled_from(TOKENS)).encode("utf-8")
        elif kind == 3:  # repeat a piece
            end = draw(st.integers(min_value=at, max_value=min(len(data), at + 64)))
            data[at:at] = data[at:end] * draw(st.integers(min_value=1, max_value=64))
        else:  # another seed's piece
            other = draw(st.sampled_from(seeds))
            data[at:at] = other[HEADER : HEADER + draw(st.integers(min_value=0, max_value=256))]
    return bytes(data)


def fuzz_op(op_id: str, runs: int, target: Callable[[bytes], None] | None = None) -> tuple[int, str | None]:
    """Runs, and the failure (a traceback) if an input made the harness (``target``: the
    op's own by default) raise."""
    from op_samples import seed_bodies

    target = target or make_target(op_id)
    seeds = [
        encode(s.fmt, s.headers, s.status, s.body, variant=s.variant, chunk=c)
        for s in seed_bodies(op_id)
        for c in (0, 7)
    ]
    count = 0

    @settings(
        max_examples=runs,
        deadline=None,
        database=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.one_of(_mutated(seeds), st.binary(max_size=4096)))
    def check(data: bytes) -> None:
        nonlocal count
        count += 1
        target(data)

    try:
        for seed in seeds:
            target(seed)
        check()
    except Exception:
        return count + len(seeds), traceback.format_exc(limit=8)
    return count + len(seeds), None


def main(argv: list[str] | None = None) -> int:
    from smsc_proto import OPS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("op_ids", nargs="*")
    parser.add_argument("--runs", type=int, default=300, help="hypothesis inputs per op (default 300)")
    args = parser.parse_args(argv)
    op_ids = args.op_ids or list(OPS)
    started = time.monotonic()
    failed = 0
    total = 0
    for op_id in op_ids:
        runs, failure = fuzz_op(op_id, args.runs)
        total += runs
        if failure is not None:
            failed += 1
            print(f"--- {op_id}: an input made the harness raise ---\n{failure}")
    print(
        f"{len(op_ids)} harnesses, {total} runs, {time.monotonic() - started:.1f}s (hypothesis, no atheris)"
    )
    print(f"fuzz: {len(op_ids) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
