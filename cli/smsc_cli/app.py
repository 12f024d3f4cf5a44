"""``smsc`` commands and exit codes: 0 done (or the reader of the output went away), 1 an
API or transport error, 2 bad usage, 3 a bulk send with recipients not sent, 130
interrupted (Ctrl-C, without a traceback)."""

from __future__ import annotations

import argparse
import os
import sys
import types
import typing
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

import smsc_proto
from smsc_cli import bulk
from smsc_cli.output import print_records, print_result, write_file
from smsc_cli.params import UsageError, build_op

__all__ = ["main", "op_classes", "type_name"]

EXIT_API_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _client(args: argparse.Namespace) -> Any:
    try:
        from smsc_urllib3 import Client
    except ImportError:
        raise UsageError('`smsc call` needs urllib3: pip install "smsc-proto[urllib3]"') from None
    from smsc_proto.policy import DEFAULT_HOSTS

    try:
        credentials = smsc_proto.Credentials.from_env()
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    options: dict[str, Any] = {}
    if args.timeout is not None:
        options["total_timeout"] = args.timeout
        options["connect_timeout"] = min(10.0, args.timeout)
        options["read_timeout"] = args.timeout
    try:
        return Client(credentials, hosts=args.host or list(DEFAULT_HOSTS), **options)
    except ValueError as exc:  # a bad --host or --timeout
        raise UsageError(str(exc)) from None


def _call(args: argparse.Namespace, out: TextIO) -> int:
    op = build_op(args.op, args.params, args.fmt, args.extra or ())
    is_list = typing.get_origin(op.result_type) is list
    if args.output is not None and not isinstance(op, smsc_proto.FileOp):
        raise UsageError(f"-o writes files (exports, PDFs); {op.op_id} answers records: leave -o out")
    with _client(args) as client:
        try:
            if args.output is not None:
                items = client.stream(op) if is_list else iter([client.call(op)])
                count = write_file(op, items, Path(args.output), progress=True)
                unit = "rows" if is_list else "bytes"
                print(f"smsc: wrote {count} {unit} to {args.output}", file=sys.stderr)
            elif is_list:
                print_records(client.stream(op), out)
            elif isinstance(op, smsc_proto.FileOp):
                raise UsageError(f"{op.op_id} answers a file: give -o FILE")
            else:
                print_result(client.call(op), out)
        except smsc_proto.SmscError as exc:
            print(f"smsc: {exc} [{type(exc).__name__}]", file=sys.stderr)
            return EXIT_API_ERROR
        except smsc_proto.SmscProtoError as exc:
            print(f"smsc: {exc} [{type(exc).__name__}]", file=sys.stderr)
            return EXIT_API_ERROR
    return 0


def type_name(tp: Any) -> str:
    """A result type as written in code: ``BalanceResult``, ``list[JobSummary]``.

    >>> type_name(list[dict[str, str]])
    'list[dict[str, str]]'
    >>> type_name(int | None)
    'int | None'
    """
    if tp is None or tp is type(None):
        return "None"
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        return " | ".join(type_name(arg) for arg in typing.get_args(tp))
    if origin is not None:
        args = ", ".join(type_name(arg) for arg in typing.get_args(tp))
        return f"{type_name(origin)}[{args}]"
    if isinstance(tp, type):
        return tp.__name__
    return repr(tp)


def op_classes() -> Iterator[tuple[str, type[smsc_proto.Op[Any]]]]:
    """Every op class by op id, sorted by id: the class ``OPS`` builds first, then the
    others of its module declaring the same id (``StatusBatch`` beside ``Status``)."""
    by_id: dict[str, list[type[smsc_proto.Op[Any]]]] = {}
    for op_id, cls in smsc_proto.OPS.items():  # loads every area
        by_id[op_id] = [cls]
    for cls in _subclasses(smsc_proto.Op):
        declared = cls.__dict__.get("op_id")
        known = by_id.get(declared) if isinstance(declared, str) else None
        if known is not None and cls not in known and cls.__module__ == known[0].__module__:
            known.append(cls)
    for op_id, classes in by_id.items():
        first, *others = classes
        for cls in [first, *sorted(others, key=lambda c: c.__name__)]:
            yield op_id, cls


def _subclasses(cls: type[smsc_proto.Op[Any]]) -> Iterator[type[smsc_proto.Op[Any]]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _ops(out: TextIO) -> int:
    rows = []
    for op_id, cls in op_classes():
        request = cls.path if cls.command is None else f"{cls.path}  {cls.command}=1"
        rows.append((op_id, f"{cls.__name__} -> {type_name(cls.result_type)}", request))
    id_width = max(len(row[0]) for row in rows)
    type_width = max(len(row[1]) for row in rows)
    for op_id, typed, request in rows:
        print(f"{op_id:<{id_width}}  {typed:<{type_width}}  {request}", file=out)
    return 0


def _conformance_tool(name: str, command: str | None = None) -> Any:
    """A module of the conformance package (the emulator, the demo, the runner), or a usage
    error saying what to install."""
    import importlib

    try:
        return importlib.import_module(f"smsc_conformance.{name}")
    except ImportError as exc:
        missing = exc.name or "smsc_conformance"
        raise UsageError(
            f'`smsc {command or name}` needs {missing}: pip install "smsc-proto[aiohttp]" '
            "(the emulator serves on aiohttp)"
        ) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smsc",
        description="The SMSC HTTP API from the command line. Credentials: SMSC_APIKEY, or "
        "SMSC_LOGIN and SMSC_PSW, in the environment.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    call = sub.add_parser("call", help="call an op: a result as JSON, a list as JSON lines, a file to -o")
    call.add_argument("op", help="op id (see `smsc ops`)")
    call.add_argument(
        "params", nargs="*", metavar="key=value", help="the op's parameters, by their API names"
    )
    call.add_argument(
        "--extra", action="append", metavar="key=value", help="a parameter the op does not model, sent as is"
    )
    call.add_argument("--fmt", type=int, choices=[0, 1, 2, 3], help="answer format to ask for (default 3)")
    call.add_argument("--host", action="append", metavar="URL", help="base URL (repeatable; default smsc.ru)")
    call.add_argument(
        "--timeout", type=float, metavar="SECONDS", help="the most the call may take (default 120)"
    )
    call.add_argument("-o", "--output", metavar="FILE", help="write a file answer (an export, a PDF) here")
    bulk.add_parser(sub)
    sub.add_parser("ops", help="list the op ids: class -> result type, path and command")
    emulator = sub.add_parser("emulator", help="serve the conformance fixtures on 127.0.0.1 (needs aiohttp)")
    emulator.add_argument("--fixtures", action="append", metavar="DIR")
    emulator.add_argument("--port", type=int, default=0)
    sandbox = sub.add_parser("sandbox", help="answer any request statefully on 127.0.0.1 (needs aiohttp)")
    sandbox.add_argument("--port", type=int, default=0)
    sub.add_parser("demo", help="a short tour against the emulator (needs aiohttp)")
    check = sub.add_parser("conformance", help="run the conformance fixtures (needs aiohttp)")
    check.add_argument("--fixtures", action="append", metavar="DIR")
    check.add_argument("--transport", default="codec", choices=["codec", "urllib3", "aiohttp", "all"])
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Entry point of the ``smsc`` console script; returns the exit status."""
    try:
        args = _parser().parse_args(argv)
        return _run(args, out or sys.stdout)
    except UsageError as exc:
        print(f"smsc: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("smsc: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`smsc call get.messages | head`): it has what it wanted.
        # Stdout is pointed at devnull so that its final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _run(args: argparse.Namespace, out: TextIO) -> int:
    if args.command == "call":
        return _call(args, out)
    if args.command == "ops":
        return _ops(out)
    if args.command == "send-bulk":
        with _client(args) as client:
            return bulk.send_bulk_command(args, client, out)
    folders = [arg for folder in getattr(args, "fixtures", None) or () for arg in ("--fixtures", folder)]
    if args.command == "sandbox":
        return int(_conformance_tool("emulator", "sandbox").main(["--sandbox", "--port", str(args.port)]))
    if args.command == "emulator":
        return int(_conformance_tool("emulator").main([*folders, "--port", str(args.port)]))
    if args.command == "demo":
        return int(_conformance_tool("demo").main([], out))
    return int(_conformance_tool("runner").main([*folders, "--transport", args.transport], out))
