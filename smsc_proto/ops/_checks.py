"""Parameter checks shared by ops; each raises the op's InvalidParameter naming the field.

Each is linear in its value: construction stays cheap whatever a caller passes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from smsc_proto.op import Op
    from smsc_proto.upload import Upload

_MESSAGE_ID = re.compile(r"[A-Za-z0-9._\-]{1,40}")
MAX_MESSAGE_ID = 2_147_483_647
# Digits of MAX_MESSAGE_ID: a longer digit string is out of range without int(), which
# refuses more than 4300 digits and is quadratic below that.
_ID_DIGITS = len(str(MAX_MESSAGE_ID))

# Recipients (spec/send.md `phones`, common.md "Phone lists"). [0-9], never \d: Arabic-Indic,
# full-width and other Unicode digits are not digits to the API.
_PHONE = re.compile(r"\+?[0-9]+")
_GROUP = re.compile(r"G[0-9]+")
# An e-mail address as far as a form field needs: printable ASCII, no space, one `@`.
_EMAIL = re.compile(r"[!-?A-~]+@[!-?A-~]+")
# Telegram (`tg=1`): `#<id>` or a nickname (Latin letters, digits, `_`), `@` optional.
_TELEGRAM = re.compile(r"#[0-9]+|@?[A-Za-z][A-Za-z0-9_]{0,63}")

# `valid` (spec/send.md): whole hours 1..24, or hh:mm from 00:01 to 24:00.
_VALID = re.compile(r"([0-9]{1,2})(?::([0-9]{2}))?")
# `param` (spec/send.md): `w,i,n` = seconds to wait for an answer, seconds between attempts,
# attempts.
_CALL_PARAM = re.compile(r"([0-9]{1,4}),([0-9]{1,4}),([0-9]{1,4})")


def check_message_id(op: Op[Any], field: str, value: int | str | None) -> None:
    """A client message id: 1..2147483647, or up to 40 of ``A-Z a-z 0-9 . - _``."""
    if value is None:
        return
    if isinstance(value, int) or (value.isascii() and value.isdigit()):
        # The API reads a digit string as the number it spells, so the range applies.
        too_long = isinstance(value, str) and len(value.lstrip("0")) > _ID_DIGITS
        if too_long or not 1 <= int(value) <= MAX_MESSAGE_ID:
            shown = value if len(str(value)) <= 40 else f"<{len(str(value))} digits>"
            raise op.invalid(field, shown, f"must be between 1 and {MAX_MESSAGE_ID}")
    elif not _MESSAGE_ID.fullmatch(value):
        raise op.invalid(field, value, "must be 1-40 characters of Latin letters, digits, '.', '-', '_'")


def check_id(op: Op[Any], field: str, value: int | None) -> None:
    """An id the API numbers (task group, mailing list, task, template): 1..2147483647."""
    check_range(op, field, value, 1, MAX_MESSAGE_ID)


def check_range(
    op: Op[Any], field: str, value: int | Decimal | None, low: int | Decimal, high: int | Decimal
) -> None:
    """``low <= value <= high``; ``Op`` has already refused NaN, infinities and ints beyond the
    API's integer range."""
    if value is not None and not low <= value <= high:
        raise op.invalid(field, value, f"must be between {low} and {high}")


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


def check_phones(
    op: Op[Any],
    field: str,
    values: Sequence[str] | None,
    *,
    groups: bool = False,
    emails: bool = False,
    telegram: bool = False,
) -> None:
    """Each recipient is a phone: ASCII digits with an optional leading ``+`` (which turns
    off the server's correction of the number); also, where the op allows them, a contact
    group ``G<id>``, an e-mail address (``mail=1``, or a status of an e-mail) or a Telegram
    ``#<id>``/nickname (``tg=1``). The list separators `,` and `;` are the op's business
    (``check_items``). No space, dash, bracket, Unicode digit or control character."""
    for item in values or ():
        if _PHONE.fullmatch(item):
            continue
        if (
            (groups and _GROUP.fullmatch(item))
            or (emails and _EMAIL.fullmatch(item))
            or (telegram and _TELEGRAM.fullmatch(item))
        ):
            continue
        allowed = ["ASCII digits 0-9 with an optional leading '+'"]
        if groups:
            allowed.append("'G' and a contact group id")
        if emails:
            allowed.append("an ASCII e-mail address")
        if telegram:
            allowed.append("a Telegram '#id' or nickname")
        raise op.invalid(field, item, "a recipient must be " + ", or ".join(allowed))


def check_max_length(op: Op[Any], field: str, value: str | None, limit: int) -> None:
    if value is not None and len(value) > limit:
        raise op.invalid(field, f"<{len(value)} characters>", f"is longer than {limit} characters")


def check_positive(op: Op[Any], field: str, value: int | None) -> None:
    if value is not None and value <= 0:
        raise op.invalid(field, value, "must be a positive integer")


def check_valid(op: Op[Any], field: str, value: str | None) -> None:
    """A message lifetime: whole hours ``1``..``24``, or ``hh:mm`` from ``00:01`` to ``24:00``."""
    if value is None:
        return
    m = _VALID.fullmatch(value)
    if m is not None:
        hours, minutes = int(m[1]), m[2]
        if minutes is None and 1 <= hours <= 24:
            return
        if minutes is not None and int(minutes) < 60 and 1 <= hours * 60 + int(minutes) <= 24 * 60:
            return
    raise op.invalid(field, value, "must be whole hours 1..24 or hh:mm from 00:01 to 24:00")


def check_call_param(op: Op[Any], field: str, value: str | None) -> None:
    """Voice call settings ``w,i,n``: wait 0..99 s for an answer (the page says 10..35; a
    doc-derived SDK allows 0..99), retry every 10..3600 s, at most 1..9 attempts."""
    if value is None:
        return
    m = _CALL_PARAM.fullmatch(value)
    if m is None or not (0 <= int(m[1]) <= 99 and 10 <= int(m[2]) <= 3600 and 1 <= int(m[3]) <= 9):
        raise op.invalid(
            field,
            value,
            "must be 'w,i,n': seconds to wait 0..99, seconds between attempts 10..3600, attempts 1..9",
        )


def check_one_of(op: Op[Any], fields: tuple[str, str], values: tuple[object, object]) -> None:
    """Exactly one of two alternative parameters (``user``/``user_id``, ``id``/``num``)."""
    given = [f for f, v in zip(fields, values, strict=True) if v is not None]
    if len(given) != 1:
        shown = {f: v for f, v in zip(fields, values, strict=True) if v is not None}
        raise op.invalid(
            " or ".join(fields), shown or None, f"give exactly one of {fields[0]} and {fields[1]}"
        )


def check_uploads(
    op: Op[Any],
    field: str,
    uploads: Sequence[Upload],
    max_bytes: int,
    extensions: frozenset[str] | None = None,
) -> None:
    """Files at most ``max_bytes`` in all, none of them empty and, when ``extensions``
    is given, of one of those kinds (by its name's extension)."""
    total = 0
    for upload in uploads:
        if not upload.content:
            raise op.invalid(field, upload, "is an empty file")
        if extensions is not None and upload.extension not in extensions:
            kinds = ", ".join(sorted(extensions))
            raise op.invalid(field, upload, f"is not one of the kinds the API takes ({kinds})")
        total += len(upload.content)
    if total > max_bytes:
        raise op.invalid(
            field,
            f"{total} bytes",
            f"is larger than the {max_bytes} bytes ({max_bytes / 2**20:g} MiB) allowed",
        )
