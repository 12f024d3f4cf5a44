"""Parameter checks shared by ops; each raises the op's InvalidOperation naming the field."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from smsc_proto.op import Op

_MESSAGE_ID = re.compile(r"[A-Za-z0-9._\-]{1,40}")
MAX_MESSAGE_ID = 2_147_483_647


def check_message_id(op: Op[Any], field: str, value: int | str | None) -> None:
    """A client message id: 1..2147483647, or up to 40 of ``A-Z a-z 0-9 . - _``."""
    if value is None:
        return
    if isinstance(value, int) or (value.isascii() and value.isdigit()):
        # The API reads a digit string as the number it spells, so the range applies.
        if not 1 <= int(value) <= MAX_MESSAGE_ID:
            raise op.invalid(field, value, f"must be between 1 and {MAX_MESSAGE_ID}")
    elif not _MESSAGE_ID.fullmatch(value):
        raise op.invalid(field, value, "must be 1-40 characters of Latin letters, digits, '.', '-', '_'")


def check_not_empty(op: Op[Any], field: str, value: object) -> None:
    if value is None or (isinstance(value, (str, tuple, list)) and len(value) == 0):
        raise op.invalid(field, value, "is required and must not be empty")


def check_items(op: Op[Any], field: str, values: Sequence[str] | None) -> None:
    """Each item of a list parameter is one non-blank value: a `,` or `;` inside an item
    would make the API read two items where the caller meant one."""
    for item in values or ():
        if not item.strip():
            raise op.invalid(field, list(values or ()), "has an empty item")
        if "," in item or ";" in item:
            raise op.invalid(field, item, "an item must not contain ',' or ';' (give a list instead)")


def check_max_length(op: Op[Any], field: str, value: str | None, limit: int) -> None:
    if value is not None and len(value) > limit:
        raise op.invalid(field, f"<{len(value)} characters>", f"is longer than {limit} characters")


def check_positive(op: Op[Any], field: str, value: int | None) -> None:
    if value is not None and value <= 0:
        raise op.invalid(field, value, "must be a positive integer")


def check_one_of(op: Op[Any], fields: tuple[str, str], values: tuple[object, object]) -> None:
    """Exactly one of two alternative parameters (``user``/``user_id``, ``id``/``num``)."""
    given = [f for f, v in zip(fields, values, strict=True) if v is not None]
    if len(given) != 1:
        shown = {f: v for f, v in zip(fields, values, strict=True) if v is not None}
        raise op.invalid(
            " or ".join(fields), shown or None, f"give exactly one of {fields[0]} and {fields[1]}"
        )
