"""Comparing a decoded result with a fixture's ``expect.result`` (CONFORMANCE.md rules).

Objects match by subset (an absent member matches null), lists by equal length and element
by element. A decimal string matches a Decimal, and a number matches a decimal string, by
value (two strings compare exactly); ``"sha256:<hex>"`` matches bytes with that digest (any
other string their base64); datetimes and dates match their ISO 8601 text; a bool matches
only a bool::

    >>> from decimal import Decimal
    >>> mismatch({"balance": "1.50"}, {"balance": Decimal("1.5"), "currency": None})
    >>> mismatch({"items": [1]}, {"items": [1, 2]})
    'items: expected a list of 1, got 2'
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec

__all__ = ["as_builtins", "mismatch", "short"]

_PASS_THROUGH = (bytes, bytearray, memoryview, Decimal, dt.datetime, dt.date, dt.time)


def as_builtins(result: Any) -> Any:
    """A result as plain data, keeping bytes, Decimals and dates typed for matching."""
    return msgspec.to_builtins(result, builtin_types=_PASS_THROUGH)


def mismatch(expected: Any, actual: Any, where: str = "") -> str | None:
    """None when ``actual`` (from ``as_builtins``) matches ``expected``, else why not."""
    label = where or "result"
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{label}: expected an object, got {short(actual)}"
        for key, value in expected.items():
            sub = f"{where}.{key}" if where else str(key)
            if key not in actual:
                if value is None:
                    continue  # an absent member is as good as null
                return f"{sub}: missing (expected {short(value)})"
            problem = mismatch(value, actual[key], sub)
            if problem:
                return problem
        return None
    if isinstance(expected, list):
        if not isinstance(actual, (list, tuple)):
            return f"{label}: expected a list, got {short(actual)}"
        if len(expected) != len(actual):
            return f"{label}: expected a list of {len(expected)}, got {len(actual)}"
        for index, (exp, act) in enumerate(zip(expected, actual, strict=True)):
            problem = mismatch(exp, act, f"{where}[{index}]")
            if problem:
                return problem
        return None
    if _scalar_equal(expected, actual):
        return None
    return f"{label}: expected {short(expected)}, got {short(actual)}"


def _scalar_equal(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if expected is None or actual is None:
        return expected is actual
    if isinstance(actual, (bytes, bytearray, memoryview)):
        data = bytes(actual)
        if not isinstance(expected, str):
            return False
        if expected.startswith("sha256:"):
            return hashlib.sha256(data).hexdigest() == expected[7:].strip().lower()
        return expected == base64.b64encode(data).decode("ascii")
    if isinstance(actual, Decimal):
        return _numeric_equal(expected, actual)
    if isinstance(actual, dt.datetime):
        return isinstance(expected, str) and _datetime_equal(expected, actual)
    if isinstance(actual, dt.date):
        return isinstance(expected, str) and expected in (actual.isoformat(), msgspec.to_builtins(actual))
    if isinstance(actual, dt.time):
        return isinstance(expected, str) and expected in (actual.isoformat(), msgspec.to_builtins(actual))
    numbers = (int, float)
    if isinstance(expected, numbers) and isinstance(actual, numbers):
        return expected == actual
    if isinstance(expected, str) and isinstance(actual, str):
        return expected == actual
    if isinstance(expected, (str, *numbers)) and isinstance(actual, (str, *numbers)):
        # One side a decimal string, the other a number: compared by value.
        return _numeric_equal(expected, actual)
    return False


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (int, float)):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def _numeric_equal(a: Any, b: Any) -> bool:
    x, y = _decimal(a), _decimal(b)
    return x is not None and y is not None and x == y


def _datetime_equal(expected: str, actual: dt.datetime) -> bool:
    if expected in (actual.isoformat(), msgspec.to_builtins(actual)):
        return True
    try:
        parsed = dt.datetime.fromisoformat(expected)
    except ValueError:
        return False
    if (parsed.tzinfo is None) != (actual.tzinfo is None):
        return False
    return parsed == actual


def short(value: Any, limit: int = 80) -> str:
    """A one-line, bounded rendering of a value for failure messages."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        text = f"<{len(data)} bytes sha256:{hashlib.sha256(data).hexdigest()[:16]}...>"
    elif isinstance(value, Decimal):
        text = f"Decimal({str(value)!r})"
    else:
        try:
            text = msgspec.json.encode(value, enc_hook=str).decode("utf-8")
        except (TypeError, ValueError, msgspec.EncodeError):
            text = repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
