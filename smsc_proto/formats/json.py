"""fmt=3: JSON read with msgspec; non-integer numbers become Decimal, never float."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec

from smsc_proto.errors import Malformed

__all__ = ["JsonError", "parse_json", "read_raw", "render_json"]

_decoder = msgspec.json.Decoder(float_hook=Decimal)


class JsonError(Malformed):
    """The text is not JSON."""


def parse_json(text: str | bytes | memoryview) -> Any:
    """Any JSON value; numbers with a fraction or exponent as Decimal."""
    try:
        return _decoder.decode(text)
    except msgspec.DecodeError as exc:
        raise JsonError(str(exc)) from None
    except RecursionError:
        raise JsonError("nested too deeply") from None
    except ArithmeticError:
        # decimal.InvalidOperation from float_hook: a number like 1e999999999999999999.
        raise JsonError("number out of range") from None


def read_raw(raw: msgspec.Raw) -> Any:
    """A value msgspec skipped over as raw JSON: a scalar read as ``parse_json`` reads it;
    an array or object comes back empty and unread. Where a scalar belongs only its kind
    matters, and reading it could allocate a tree as large as the body."""
    view = memoryview(raw)
    first = view[0]
    if first == 0x5B:  # [
        return []
    if first == 0x7B:  # {
        return {}
    return parse_json(view)


def render_json(value: Any) -> str:
    """SMSC's own layout: one member per line, no indentation (common.md)."""
    if isinstance(value, list):
        return "[\n" + ",\n".join(render_json(v) for v in value) + "\n]"
    if isinstance(value, dict):
        members = [msgspec.json.encode(k).decode() + ": " + render_json(v) for k, v in value.items()]
        return "{\n" + ",\n".join(members) + "\n}"
    return msgspec.json.encode(value).decode()
