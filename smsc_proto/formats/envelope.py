"""The API's error envelope, recognised in all four fmts whatever fmt was asked.

fmt=0 ``ERROR = N (description)`` (send.php adds ``, ID - <id>``); fmt=1 ``<id or 0>,-N``;
fmt=2 ``<result><error>..</error><error_code>N</error_code>[<id>..</id>]</result>``;
fmt=3 ``{"error": "..", "error_code": N[, "id": ..]}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from smsc_proto.formats.json import JsonError, parse_json, render_json
from smsc_proto.formats.xml import XmlError, element_to_builtins, parse_xml, render_element

__all__ = ["ApiError", "error_in_data", "error_in_text", "find_error", "render_error"]

_TEXT = re.compile(
    r"ERROR\s*=\s*(?P<code>\d+)\s*(?:\((?P<desc>.*)\))?\s*(?:,\s*ID\s*-\s*(?P<id>[^\s,]+))?",
    re.IGNORECASE,
)
_CSV = re.compile(r"(?P<id>[^,\s]*)\s*,\s*-(?P<code>\d+)")


@dataclass(frozen=True, slots=True)
class ApiError:
    code: int
    description: str
    message_id: int | str | None = None


def _message_id(value: Any) -> int | str | None:
    if value is None or value in ("", "0", 0):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    return int(text) if text.isascii() and text.isdigit() else text


def _from_mapping(data: Any) -> ApiError | None:
    if not isinstance(data, dict) or "error_code" not in data:
        return None
    raw = data["error_code"]
    try:
        code = int(str(raw).strip())
    except ValueError:
        return None
    description = data.get("error")
    return ApiError(code, "" if description is None else str(description), _message_id(data.get("id")))


def find_error(text: str) -> ApiError | None:
    """The API error a body carries, or None when it is not an error envelope."""
    body = text.strip()
    if not body:
        return None
    if body[0] == "{":
        try:
            return error_in_data(parse_json(body))
        except JsonError:
            return None
    if body[0] == "<":
        try:
            root = parse_xml(body)
        except XmlError:
            return None
        return error_in_data(element_to_builtins(root))
    return error_in_text(body)


def error_in_data(data: Any) -> ApiError | None:
    """The error in an already parsed JSON value or XML tree (as builtins)."""
    return _from_mapping(data)


def error_in_text(body: str) -> ApiError | None:
    """The error in a fmt=0/1 body (``ERROR = N (...)`` or ``<id>,-N``)."""
    body = body.strip()
    m = _TEXT.fullmatch(body)
    if m is not None:
        return ApiError(int(m["code"]), (m["desc"] or "").strip(), _message_id(m["id"]))
    m = _CSV.fullmatch(body)
    if m is not None:
        return ApiError(int(m["code"]), "", _message_id(m["id"]))
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
