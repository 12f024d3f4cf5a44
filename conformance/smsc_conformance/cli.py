"""The ``smsc`` command: call any op, list ops, run the emulator or the demo.

::

    SMSC_LOGIN=acme SMSC_PSW=... smsc call balance cur=1
    smsc call send phones=79991234567 mes="Hello" --fmt 0 --host http://127.0.0.1:8080
    smsc call status phone=79991234567 id=42             # Status -> StatusResult
    smsc call status phone=79991234567 id=42 id=43       # StatusBatch -> list[StatusResult]
    smsc ops
    smsc emulator --fixtures conformance/fixtures --port 8080
    smsc demo

Credentials come from the environment only (``SMSC_LOGIN`` + ``SMSC_PSW``, or
``SMSC_APIKEY``), never from the command line, where other users could read them.
"""

from __future__ import annotations

import argparse
import os
import sys
import types
import typing
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TextIO

import msgspec

import smsc_proto

__all__ = ["build_op", "credentials_from_env", "main", "op_classes", "type_name"]

EXIT_API_ERROR = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """Bad command-line input; the message is for the user."""


def credentials_from_env(env: Mapping[str, str] | None = None) -> smsc_proto.Credentials:
    """``SMSC_APIKEY``, else ``SMSC_LOGIN`` + ``SMSC_PSW``.

    >>> credentials_from_env({"SMSC_APIKEY": "k"})
    Credentials(apikey=<hidden>)
    """
    env = os.environ if env is None else env
    key = env.get("SMSC_APIKEY")
    if key:
        return smsc_proto.Credentials(apikey=key)
    login, psw = env.get("SMSC_LOGIN"), env.get("SMSC_PSW")
    if login and psw:
        return smsc_proto.Credentials(login=login, psw=psw)
    raise UsageError("set SMSC_LOGIN and SMSC_PSW, or SMSC_APIKEY, in the environment")


def build_op(op_id: str, pairs: Sequence[str], fmt: int | None = None) -> smsc_proto.Op[Any]:
    """An op from ``key=value`` words; a repeated key makes a list. The op id's class
    chooses the class (``status`` with several ids builds a ``StatusBatch``).

    >>> op = build_op("status", ["phone=79991234567", "id=42"])
    >>> type(op).__name__, op.params()[:2]
    ('Status', [('phone', '79991234567'), ('id', '42')])
    >>> op = build_op("status", ["phone=79991234567", "id=42", "id=43"])
    >>> type(op).__name__, op.params()[:2]
    ('StatusBatch', [('phone', '79991234567'), ('id', '42,43')])
    """
    cls = smsc_proto.OPS.get(op_id)
    if cls is None:
        raise UsageError(f"unknown op {op_id!r}; `smsc ops` lists them")
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"expected key=value, got {pair!r}")
        if key in ("login", "psw", "apikey"):
            raise UsageError("credentials come from the environment, not the command line")
        if key in params:
            previous = params[key]
            params[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            params[key] = value
    try:
        return cls.from_params(params, fmt)
    except smsc_proto.InvalidParameter as exc:
        raise UsageError(str(exc)) from None


def _call(args: argparse.Namespace, out: TextIO) -> int:
    from smsc_urllib3 import Client

    from smsc_proto.policy import DEFAULT_HOSTS

    op = build_op(args.op, args.params, args.fmt)
    credentials = credentials_from_env()
    hosts = args.host or list(DEFAULT_HOSTS)
    try:
        with Client(credentials, hosts=hosts) as client:
            result = client.call(op)
    except smsc_proto.SmscError as exc:
        print(f"smsc: {exc} [{type(exc).__name__}]", file=sys.stderr)
        return EXIT_API_ERROR
    except smsc_proto.SmscProtoError as exc:
        print(f"smsc: {exc}", file=sys.stderr)
        return EXIT_API_ERROR
    except ValueError as exc:  # a bad --host
        raise UsageError(str(exc)) from None
    data = msgspec.json.encode(_drop_nulls(msgspec.to_builtins(result)))
    print(msgspec.json.format(data, indent=2).decode("utf-8"), file=out)
    return 0


def _drop_nulls(value: Any) -> Any:
    """Absent members stay absent: the results' many optional fields would bury the answer."""
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="smsc", description="SMSC HTTP API from the command line.")
    sub = parser.add_subparsers(dest="command", required=True)
    call = sub.add_parser("call", help="call an op and print its result as JSON")
    call.add_argument("op", help="op id (see `smsc ops`)")
    call.add_argument("params", nargs="*", metavar="key=value", help="wire parameters")
    call.add_argument("--fmt", type=int, choices=[0, 1, 2, 3], help="answer format to ask for (default 3)")
    call.add_argument("--host", action="append", metavar="URL", help="base URL (repeatable; default smsc.ru)")
    sub.add_parser("ops", help="list the op ids: class -> result type, path and command")
    emulator = sub.add_parser("emulator", help="serve fixtures on 127.0.0.1")
    emulator.add_argument("--fixtures", action="append", metavar="DIR")
    emulator.add_argument("--port", type=int, default=0)
    sub.add_parser("demo", help="a short tour against the emulator")
    check = sub.add_parser("conformance", help="run the conformance fixtures")
    check.add_argument("--fixtures", action="append", metavar="DIR")
    check.add_argument("--transport", default="codec", choices=["codec", "urllib3", "aiohttp", "all"])
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Entry point of the ``smsc`` console script; returns the exit status."""
    args = _parser().parse_args(argv)
    stream = out or sys.stdout
    try:
        if args.command == "call":
            return _call(args, stream)
        if args.command == "ops":
            return _ops(stream)
        if args.command == "emulator":
            from smsc_conformance import emulator

            return emulator.main([*_folder_args(args.fixtures), "--port", str(args.port)])
        if args.command == "demo":
            from smsc_conformance import demo

            return demo.main([], stream)
        from smsc_conformance import runner

        return runner.main([*_folder_args(args.fixtures), "--transport", args.transport], stream)
    except UsageError as exc:
        print(f"smsc: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _folder_args(folders: Sequence[str] | None) -> list[str]:
    return [arg for folder in folders or () for arg in ("--fixtures", folder)]


if __name__ == "__main__":
    raise SystemExit(main())
