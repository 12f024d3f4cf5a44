"""The atheris harness every decoder shares: ``python fuzz/harness.py <op id> [libFuzzer flags]``.

The per-op scripts (``fuzz/fuzz_send.py``...) call ``main(op_id, sys.argv)``. Each input is
split into (fmt, Content-Type, HTTP status, op instance, chunk size, body) (fuzz/inputs.py)
and given to the op's ``decode`` and to its stream decoder in chunks. Anything raised but
``SmscError``/``DecodeError`` crashes the harness (the codec turns only a malformed body into
``DecodeError``: a ``TypeError``, ``KeyError``... escaping it is a bug), and so does a result
that is not of ``op.result_type``, a stream that yields other records than ``decode``
returns, or an input that takes more than ``SLOW_SECONDS`` to decode either way (decoders
must be linear-time; libFuzzer's own ``-timeout`` is only a backstop). Started without a corpus
directory, the harness writes and uses ``fuzz/corpus-<name>/`` seeded from the fixtures::

    python fuzz/fuzz_send.py -atheris_runs=50000
"""

from __future__ import annotations

import sys
import time
import typing
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inputs import chunks, decode

if TYPE_CHECKING:
    from smsc_proto import Op

HERE = Path(__file__).resolve().parent

__all__ = ["SLOW_SECONDS", "SlowInput", "main", "make_target"]

# The most one input may take to decode, whole or streamed, even under instrumentation (an
# input is at most a few kilobytes: a linear decoder takes milliseconds).
SLOW_SECONDS = 1.0


class SlowInput(AssertionError):
    """An input took longer than the limit to decode: a decoder is not linear-time."""


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


def make_target(op_id: str, slow_seconds: float = SLOW_SECONDS) -> Callable[[bytes], None]:
    """The ``TestOneInput`` of ``op_id``: decode one fuzzed response, whole and streamed;
    an input taking more than ``slow_seconds`` to decode either way raises ``SlowInput``."""
    from op_samples import build_op, op_variants, records_of, result_type_problem

    from smsc_proto import DecodeError, FileOp, HttpResponse, SmscError
    from smsc_proto.list_stream import ListStreamDecoder

    codec_errors = (SmscError, DecodeError)
    variants = op_variants(op_id)
    ops: dict[tuple[int, int], Op[Any] | None] = {}

    def op_for(variant: int, fmt: int) -> Op[Any] | None:
        key = (variant % len(variants), fmt)
        if key not in ops:
            ops[key] = build_op(variants[key[0]], fmt)
        return ops[key]

    def check_time(started: float, how: str, op: Op[Any], body: bytes) -> None:
        took = time.perf_counter() - started
        if took > slow_seconds:
            raise SlowInput(
                f"{op_id}: SLOW INPUT: decoding a {len(body)}-byte body {how} took {took:.2f}s "
                f"(limit {slow_seconds:g}s; decoders must be linear-time) for {op!r}; "
                f"body starts {body[:120]!r}"
            )

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
        started = time.perf_counter()
        try:
            result = op.decode(HttpResponse(status, headers, body))
        except codec_errors:
            decoded = False
        check_time(started, "whole", op, body)
        if decoded:
            problem = result_type_problem(op, result)
            if problem is not None:
                raise AssertionError(f"{op_id}: decoded {result!r}, not a {op.result_type!r}: {problem}")

        streamed: list[Any] = []
        refused = False
        started = time.perf_counter()
        try:
            head = HttpResponse(status, headers, b"")
            is_list = typing.get_origin(op.result_type) is list and not isinstance(op, FileOp)
            eager = bool(chunk % 2) and is_list
            if eager:
                # Half the inputs cut records from the first character, in small batches,
                # as a long list answer is (list_stream.py).
                decoder: Any = ListStreamDecoder(op, head, head_chars=0, batch_chars=chunk)
            else:
                decoder = op.stream_decoder(head)
            for piece in chunks(body, chunk):
                streamed.extend(decoder.feed(piece))
            streamed.extend(decoder.close())
        except codec_errors:
            refused = True
        check_time(started, f"in chunks of {chunk or len(body)} bytes", op, body)
        if refused:
            return
        for record in streamed:
            problem = result_type_problem(op, record, record=True)
            if problem is not None:
                raise AssertionError(f"{op_id}: streamed {record!r}, not of {op.result_type!r}: {problem}")
        # A long body that mixes encodings (valid UTF-8, then not) is read as UTF-8 up to
        # the first bad byte when streamed, and one way throughout when whole: records
        # agree wherever the two texts do.
        same_text = not eager or _texts_agree(body, head.header("Content-Type"))
        if decoded and same_text and streamed != records_of(result):
            raise AssertionError(f"{op_id}: stream gave {streamed!r}, decode {result!r}")

    return target


def _texts_agree(body: bytes, content_type: str | None) -> bool:
    from smsc_proto.formats.incremental_text import IncrementalText
    from smsc_proto.http import REQUEST_CHARSET, body_text, charset_of

    incremental = IncrementalText(charset_of(content_type), REQUEST_CHARSET)
    return incremental.decode(body) + incremental.decode(b"", final=True) == body_text(body, content_type)


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
