"""The API's error envelope, recognised in all four fmts whatever fmt was asked.

fmt=0 ``ERROR = N (description)`` (send.php adds ``, ID - <id>``); fmt=1 ``<id or 0>,-N``;
fmt=2 ``<result><error>..</error><error_code>N</error_code>[<id>..</id>]</result>``;
fmt=3 ``{"error": "..", "error_code": N[, "id": ..]}``.

Text is read with anchored scans, never a backtracking pattern over the whole body.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import msgspec

from smsc_proto.formats.json import JsonError, read_raw, render_json
from smsc_proto.formats.xml import render_element
from smsc_proto.records import number_if_digits

if TYPE_CHECKING:
    from lxml import etree

__all__ = ["ApiError", "error_in_json", "error_in_text", "error_in_xml", "render_error"]

_TEXT_HEAD = re.compile(r"ERROR\s{0,8}=\s{0,8}(\d{1,9})", re.IGNORECASE)
_ID_TAIL = re.compile(r",\s{0,8}ID\s{0,8}-\s{0,8}([^\s,]{1,64})\Z", re.IGNORECASE)
_CSV = re.compile(r"([^,\s]{0,64})[ \t]{0,8},[ \t]{0,8}-(\d{1,9})")


class ApiError:
    """One error envelope: the code, its description and (send.php) the message id."""

    __slots__ = ("code", "description", "message_id")

    def __init__(self, code: int, description: str, message_id: int | str | None = None) -> None:
        self.code = code
        self.description = description
        self.message_id = message_id

    def __repr__(self) -> str:
        return f"ApiError({self.code!r}, {self.description!r}, {self.message_id!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ApiError):
            return NotImplemented
        return (self.code, self.description, self.message_id) == (
            other.code,
            other.description,
            other.message_id,
        )

    __hash__ = None  # type: ignore[assignment]


def _message_id(value: Any) -> int | str | None:
    if value is None or value in ("", "0", 0):
        return None
    if value.__class__ is int:
        return value
    return number_if_digits(str(value).strip()) or None


def _code(raw: Any) -> int | None:
    text = str(raw).strip() if raw.__class__ in (str, int) else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


_ABSENT = msgspec.Raw()
# Bytes of an array or object description kept (SmscError shortens any description further).
_CONTAINER_SHOWN = 2048


class _JsonEnvelope(msgspec.Struct, gc=False):
    # Raw values, empty when absent; every other key is skipped unread, whatever it holds.
    error_code: msgspec.Raw = _ABSENT
    error: msgspec.Raw = _ABSENT
    id: msgspec.Raw = _ABSENT


_JSON_ENVELOPE = msgspec.json.Decoder(_JsonEnvelope)


def error_in_json(body: str) -> ApiError | None:
    """The error a JSON object carries (``body`` starts with ``{``): ``error_code``."""
    try:
        found = _JSON_ENVELOPE.decode(body)
    except msgspec.DecodeError as exc:  # ValidationError included: not an object
        raise JsonError(str(exc)) from None
    except RecursionError:
        raise JsonError("nested too deeply") from None
    if not found.error_code:
        return None
    code = _code(read_raw(found.error_code))
    if code is None:
        return None
    description = _description(found.error)
    return ApiError(code, description, _message_id(read_raw(found.id) if found.id else None))


def _description(raw: msgspec.Raw) -> str:
    if not raw:
        return ""
    value = read_raw(raw)
    if value is None:
        return ""
    if value.__class__ in (list, dict):  # not text: the start of its JSON, as written
        return bytes(memoryview(raw)[:_CONTAINER_SHOWN]).decode("utf-8", "replace")
    return str(value)


def error_in_xml(root: etree._Element) -> ApiError | None:
    """The error an XML answer carries: ``<error_code>`` directly under the root."""
    element = root.find("error_code")
    if element is None:
        return None
    code = _code(element.text or "")
    if code is None:
        return None
    description = root.findtext("error") or ""
    return ApiError(code, description.strip(), _message_id(root.findtext("id")))


def error_in_text(body: str) -> ApiError | None:
    """The error in a stripped fmt=0/1 body (``ERROR = N (...)`` or ``<id>,-N``)."""
    head = _TEXT_HEAD.match(body)
    if head is not None:
        rest = body[head.end() :]
        message_id = None
        tail = _ID_TAIL.search(rest)
        if tail is not None:
            message_id = _message_id(tail.group(1))
            rest = rest[: tail.start()]
        rest = rest.strip()
        if not rest:
            return ApiError(int(head.group(1)), "", message_id)
        if rest[0] == "(" and rest[-1] == ")":
            return ApiError(int(head.group(1)), rest[1:-1].strip(), message_id)
        return None
    csv = _CSV.fullmatch(body)
    if csv is not None:
        return ApiError(int(csv.group(2)), "", _message_id(csv.group(1)))
    return None


def render_error(fmt: int, error: ApiError) -> str:
    """The envelope as the server writes it (for emulators, test doubles and fuzz seeds)."""
    if fmt == 0:
        line = f"ERROR = {error.code} ({error.description})"
        return line if error.message_id is None else f"{line}, ID - {error.message_id}"
    if fmt == 1:
        return f"{error.message_id or 0},-{error.code}"
    members: dict[str, Any] = {"error": error.description, "error_code": error.code}
    if error.message_id is not None:
        members["id"] = error.message_id
    if fmt == 2:
        return render_element("result", members)
    return render_json(members)
