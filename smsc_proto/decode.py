"""The one decode path, for every op: bytes -> charset -> sniff (once) -> error envelope
(once) -> the fmt's reader -> the typed result.

Only what a malformed body can cause (``errors.Malformed``: layouts, JSON, XML, conversions)
becomes a ``DecodeError``; anything else raised on the way is a bug and propagates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from smsc_proto.errors import DecodeError, Malformed, status_error
from smsc_proto.formats.envelope import ApiError, error_in_json, error_in_text, error_in_xml
from smsc_proto.formats.xml import ENVELOPE_ROOM, ElementRoom, parse_xml
from smsc_proto.http import HttpResponse, body_text
from smsc_proto.shape import ShapeDecoder

if TYPE_CHECKING:
    from smsc_proto.op import Op

__all__ = ["decode", "decode_text", "find_error", "not_the_file"]

R = TypeVar("R")


def decode(op: Op[R], response: HttpResponse) -> R:
    """The typed result of a whole response, or the op's ``SmscError``, or ``DecodeError``."""
    return decode_text(op, body_text(response.body, response.header("Content-Type")), response.status)


def decode_text(op: Op[R], text: str, status: int = 200) -> R:
    """``decode`` of a body already turned into text."""
    try:
        body = text.strip()
        decoder: ShapeDecoder[R] = op.result_shape().decoder(op.result_type)
        first = body[:1]
        error, parsed = _envelope(body, first, decoder.xml_room)
        if error is not None:
            if error.code in op.empty_codes:
                return decoder.none_found()
            raise op.error_for(error)
        if not 200 <= status < 300:
            raise status_error(op.op_id, status, text)
        if not body:
            return decoder.empty()
        if first in {"{", "["}:
            return decoder.from_json(body)
        if first == "<":
            return decoder.from_xml(parsed)
        return decoder.from_text(body, op.fmt)
    except Malformed as exc:
        raise DecodeError(op.op_id, _describe(exc), text, status=status) from None


def find_error(text: str) -> ApiError | None:
    """The API error a body carries in any fmt, or None when it is not an error envelope."""
    body = text.strip()
    try:
        return _envelope(body, body[:1], ENVELOPE_ROOM)[0]
    except Malformed:
        return None


def not_the_file(op: Op[Any], response: HttpResponse, expected: str) -> NoReturn:
    """A file op got something other than its file (``expected`` names it): the API error
    the body carries, or a ``DecodeError`` saying what came instead."""
    text = body_text(response.body, response.header("Content-Type"))
    error = find_error(text)
    if error is not None:
        raise op.error_for(error)
    if not response.ok:
        raise status_error(op.op_id, response.status, text)
    raise DecodeError(
        op.op_id, f"expected {expected}, got {_kind(text.strip())}", text, status=response.status
    )


def _kind(body: str) -> str:
    if not body:
        return "an empty body"
    if body[0] in "{[":
        return "JSON that is not an API error"
    if body[0] == "<":
        head = body[:15].lower()
        return "an HTML page" if head.startswith(("<!doctype", "<html")) else "XML that is not an API error"
    return "text that is not an API error"


def _envelope(body: str, first: str, room: ElementRoom) -> tuple[ApiError | None, Any]:
    """The error in a stripped body (``first`` its first character), and the XML root
    parsed to find it (with the elements ``room`` allows), for the reader to reuse."""
    if first == "{":
        # Only an object holding this key (or escapes, which could spell it) can be an
        # envelope: most answers skip a second pass over the body.
        if '"error_code"' not in body and "\\u" not in body:
            return None, None
        return error_in_json(body), None
    if first == "[":
        return None, None
    if first == "<":
        root = parse_xml(body, room)
        return error_in_xml(root), root
    return (error_in_text(body) if body else None), None


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."
