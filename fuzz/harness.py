"""The atheris harness every decoder shares: ``python fuzz/harness.py <op id> [libFuzzer flags]``.

The per-op scripts (``fuzz/fuzz_send.py``...) call ``main(op_id, sys.argv)``. Each input is
split into (fmt, Content-Type, HTTP status, op instance, chunk size, body) (fuzz/inputs.py)
and given to the op's ``decode`` and to its stream decoder in chunks. Anything raised but
``SmscError``/``DecodeError`` crashes the harness, and so does a result of the wrong type
or a stream that yields other records than ``decode`` returns. Started without a corpus
directory, the harness writes and uses ``fuzz/corpus-<name>/`` seeded from the fixtures::

    python fuzz/fuzz_send.py -atheris_runs=50000
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inputs import chunks, decode

if TYPE_CHECKING:
    from smsc_proto import Op

HERE = Path(__file__).resolve().parent

__all__ = ["main", "make_target"]


def _import_instrumented() -> None:
    """Import the whole codec under atheris' coverage instrumentation."""
    import importlib
    import pkgutil

    import atheris

    # Comparison feedback from str methods (startswith...): the envelopes are keyword-driven.
    atheris.enabled_hooks.add("str")
    with atheris.instrument_imports(include=["smsc_proto"]):
        import smsc_proto

        for module in pkgutil.walk_packages(smsc_proto.__path__, "smsc_proto."):
            importlib.import_module(module.name)


def make_target(op_id: str) -> Callable[[bytes], None]:
    """The ``TestOneInput`` of ``op_id``: decode one fuzzed response, whole and streamed."""
    from op_samples import build_op, matches_result_kind, op_variants, records_of

    from smsc_proto import DecodeError, HttpResponse, SmscError

    codec_errors = (SmscError, DecodeError)
    variants = [params for _, params in op_variants(op_id)]
    ops: dict[tuple[int, int], Op | None] = {}

    def op_for(variant: int, fmt: int) -> Op | None:
        key = (variant % len(variants), fmt)
        if key not in ops:
            ops[key] = build_op(op_id, variants[key[0]], fmt)
        return ops[key]

    def target(data: bytes) -> None:
        parsed = decode(data)
        if parsed is None:
            return
        fmt, headers, status, variant, chunk, body = parsed
        op = op_for(variant, fmt)
        if op is None:
            return
        result: Any = None
        decoded = True
        try:
            result = op.decode(HttpResponse(status, headers, body))
        except codec_errors:
            decoded = False
        if decoded and not matches_result_kind(op, result):
            raise AssertionError(f"{op_id}: decoded {result!r}, not a {op.result_kind()!r}")

        streamed: list[Any] = []
        try:
            decoder = op.stream_decoder(HttpResponse(status, headers, b""))
            for piece in chunks(body, chunk):
                streamed.extend(decoder.feed(piece))
            streamed.extend(decoder.close())
        except codec_errors:
            return
        for record in streamed:
            if not matches_result_kind(op, record, record=True):
                raise AssertionError(f"{op_id}: streamed {record!r}, not a {op.result_kind()!r}")
        if decoded and streamed != records_of(result):
            raise AssertionError(f"{op_id}: stream gave {streamed!r}, decode {result!r}")

    return target


def main(op_id: str, argv: list[str]) -> None:
    """Fuzz ``op_id``'s decoders; ``argv`` are libFuzzer/atheris flags and corpus dirs
    (``argv[0]`` is the program name)."""
    import atheris

    _import_instrumented()
    from seeds import dict_path, write_corpus, write_dict

    from smsc_proto import OPS

    if op_id not in OPS:
        raise SystemExit(f"unknown op id {op_id!r}; known: {', '.join(OPS)}")
    args = list(argv)
    if not any(not a.startswith("-") for a in args[1:]):
        # New units go to the first directory; past crashes (fuzz/regressions/) seed too.
        args += [str(write_corpus(op_id)), str(HERE / "regressions")]
    if not any(a.startswith("-dict=") for a in args):
        write_dict(op_id)
        args.append(f"-dict={dict_path(op_id)}")
    atheris.Setup(args, make_target(op_id))
    atheris.Fuzz()


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1].startswith("-"):
        raise SystemExit("usage: python fuzz/harness.py <op id> [libFuzzer flags] [corpus dir]")
    main(sys.argv[1], [sys.argv[0], *sys.argv[2:]])
