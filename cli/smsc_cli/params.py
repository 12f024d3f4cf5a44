"""Ops from ``key=value`` words: the API's parameter names, each checked against the op."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

import msgspec

import smsc_proto

__all__ = ["UsageError", "build_op", "parameter_names"]


class UsageError(Exception):
    """Bad command-line input; the message is for the user."""


def parameter_names(cls: type[smsc_proto.Op[Any]]) -> list[str]:
    """The wire names an op class takes (``fmt`` and ``extra`` are options of their own)."""
    return [f.encode_name for f in msgspec.structs.fields(cls) if f.name not in ("fmt", "extra")]


def build_op(
    op_id: str, pairs: Sequence[str], fmt: int | None = None, extra: Sequence[str] = ()
) -> smsc_proto.Op[Any]:
    """An op from ``key=value`` words; a repeated key makes a list. A name the op does not
    take is refused with the closest it does, unless given with ``--extra`` (sent as is).

    >>> build_op("status", ["phone=79991234567", "id=42", "id=43"]).params()[:2]
    [('phone', '79991234567'), ('id', '42,43')]
    >>> build_op("send", ["phonse=79991234567", "mes=Hi"])
    Traceback (most recent call last):
    smsc_cli.params.UsageError: send takes no parameter 'phonse' (did you mean 'phones'?); ...
    """
    cls = smsc_proto.OPS.get(op_id)
    if cls is None:
        close = difflib.get_close_matches(op_id, list(smsc_proto.OPS), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise UsageError(f"unknown op {op_id!r}{hint}; `smsc ops` lists them")
    known = parameter_names(cls)
    params = _pairs(pairs)
    for name in params:
        if name not in known and name != cls.command:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UsageError(
                f"{op_id} takes no parameter {name!r}{hint}; "
                f"give it as --extra {name}=... to send it as it is"
            )
    params.update(_pairs(extra))
    try:
        return cls.from_params(params, fmt)
    except smsc_proto.InvalidParameter as exc:
        raise UsageError(str(exc)) from None


def _pairs(words: Sequence[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or not key:
            raise UsageError(f"expected key=value, got {word!r}")
        if key in ("login", "psw", "apikey"):
            raise UsageError("credentials come from the environment (SMSC_LOGIN, SMSC_PSW or SMSC_APIKEY)")
        if key in params:
            previous = params[key]
            params[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            params[key] = value
    return params
