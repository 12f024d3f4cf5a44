"""From parsed builtins (strings from text/XML, JSON values) to typed result structs.

Every fmt's parser yields plain dicts; this one step types them, so fmt=0..3 end in the same
struct. Before msgspec converts, values the API writes its own way are normalised: dates
``DD.MM.YYYY hh:mm:ss``, empty strings for "none", digit strings for ids typed ``int | str``.
"""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from collections.abc import Sequence
from decimal import Decimal
from decimal import InvalidOperation as DecimalError
from functools import cache
from typing import Any, TypeVar

import msgspec

__all__ = [
    "ConvertError",
    "format_date",
    "format_datetime",
    "parse_date",
    "parse_datetime",
    "to_result",
    "wire_value",
]

T = TypeVar("T")

_DATETIME_FORMATS = (
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%y %H:%M:%S",
    "%d.%m.%y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%d.%m.%Y",
    "%Y-%m-%d",
)
_DATE_FORMATS = ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d")


class ConvertError(ValueError):
    """A value does not fit the result type."""


def parse_datetime(text: str) -> dt.datetime:
    text = " ".join(text.split())
    for fmt in _DATETIME_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise ConvertError(f"not a date and time: {text!r}")


def parse_date(text: str) -> dt.date:
    text = text.strip()
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return parse_datetime(text).date()


def format_datetime(value: dt.datetime) -> str:
    return value.strftime("%d.%m.%Y %H:%M:%S")


def format_date(value: dt.date) -> str:
    return value.strftime("%d.%m.%Y")


def wire_value(value: Any) -> str:
    """A value as the API reads and writes it in forms, text, CSV and XML."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (list, tuple)):
        return ",".join(wire_value(v) for v in value)
    return str(value)


_NONE_TOKENS = frozenset({"", "0", "00.00.0000 00:00:00", "00.00.0000", "0000-00-00 00:00:00"})


class _Kinds(typing.NamedTuple):
    """What a field's type accepts, worked out once per type."""

    optional: bool
    kinds: tuple[Any, ...]
    text: bool
    datetime: bool
    date: bool
    decimal: bool
    integer: bool
    boolean: bool
    # A list type and nothing a lone element could also be (text, a struct).
    sequence: bool = False


@cache
def _kinds(tp: Any) -> _Kinds:
    origin = typing.get_origin(tp)
    union = origin is typing.Union or origin is types.UnionType
    members = typing.get_args(tp) if union else (tp,)
    kinds = tuple(m for m in members if m is not type(None))
    integer = any(m is int or (isinstance(m, type) and issubclass(m, enum.IntEnum)) for m in kinds)
    return _Kinds(
        optional=type(None) in members,
        kinds=kinds,
        text=str in kinds,
        datetime=dt.datetime in kinds,
        date=dt.date in kinds,
        decimal=Decimal in kinds,
        integer=integer,
        boolean=bool in kinds,
        sequence=any(typing.get_origin(m) in (list, tuple, Sequence) for m in kinds)
        and str not in kinds
        and not any(isinstance(m, type) and issubclass(m, msgspec.Struct) for m in kinds),
    )


def _normalise(value: Any, tp: Any) -> Any:
    """Bring one value into a form msgspec converts to ``tp``; the rest is left to msgspec."""
    k = _kinds(tp)
    kinds = k.kinds
    if k.sequence and isinstance(value, (str, dict)) and value != "":
        # XML: a list of one is a single element, read as a scalar or a record.
        value = [value]
    if isinstance(value, str):
        stripped = value.strip()
        if k.optional and stripped == "" and not k.text:
            return None
        if k.datetime:
            if k.optional and stripped in _NONE_TOKENS:
                return None
            return parse_datetime(stripped)
        if k.date:
            if k.optional and stripped in _NONE_TOKENS:
                return None
            return parse_date(stripped)
        if k.decimal:
            try:
                number = Decimal(stripped.replace(",", "."))
            except DecimalError:
                raise ConvertError(f"not a number: {value!r}") from None
            if not number.is_finite():  # "NaN", "Infinity": not an amount
                raise ConvertError(f"not a number: {value!r}")
            return number
        if k.integer:
            if stripped.isascii() and stripped.lstrip("-").isdigit():
                return int(stripped)
            if not k.text:
                raise ConvertError(f"not an integer: {value!r}")
        if not k.text and k.boolean:
            return stripped not in ("", "0", "false")
        return value
    if isinstance(value, dict):
        for kind in kinds:
            if isinstance(kind, type) and issubclass(kind, msgspec.Struct):
                return _normalise_struct(value, kind)
        return value
    if isinstance(value, list):
        for kind in kinds:
            if typing.get_origin(kind) in (list, tuple, Sequence):
                args = typing.get_args(kind)
                item = args[0] if args else Any
                return [_normalise(v, item) for v in value]
        return value
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool) and k.text and not k.integer:
        return str(value)
    if (
        isinstance(value, Decimal)
        and k.integer
        and not k.decimal
        and value.adjusted() < 20  # int() of 1E+999999999 would take minutes: leave it to fail
        and value == value.to_integral_value()
    ):
        return int(value)
    return value


@cache
def _field_types(struct: type[msgspec.Struct]) -> dict[str, Any]:
    return {f.encode_name: f.type for f in msgspec.structs.fields(struct)}


def _normalise_struct(data: dict[str, Any], struct: type[msgspec.Struct]) -> dict[str, Any]:
    types_ = _field_types(struct)
    return {k: _normalise(v, types_[k]) if k in types_ else v for k, v in data.items()}


def to_result(data: Any, result_type: Any) -> Any:
    """Type ``data`` as ``result_type`` (a Struct or ``list[Struct]``); ConvertError if it can't."""
    try:
        return msgspec.convert(_normalise(data, result_type), result_type, strict=False)
    except msgspec.ValidationError as exc:
        raise ConvertError(str(exc)) from None
