"""Multipart bodies (documents.php ``add_account``: a JSON part and a PDF part).

Parsed with the ``multipart`` package, imported on first use so that ``import smsc_proto``
stays light. The boundary comes from the response ``Content-Type``; parts may carry any
``Content-Disposition`` (or none), since the answer is ``multipart/mixed``-like rather than a
form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from smsc_proto.errors import Malformed
from smsc_proto.formats.disposition import filename_from_disposition

__all__ = [
    "MAX_MULTIPART_BYTES",
    "MultipartFormatError",
    "Part",
    "boundary_from_body",
    "boundary_of",
    "parse_multipart",
    "render_multipart",
]

# An invoice answer is a short JSON part and a PDF of some kilobytes; refuse absurd sizes.
MAX_MULTIPART_BYTES = 64 * 1024 * 1024
MAX_PARTS = 16
# RFC 2046 boundary characters (bchars), 1..70 of them, not ending in a space.
_BOUNDARY = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]")
# Skipped in C and possessively, without a copy of the body (``lstrip`` would make one).
_LEADING_EOLS = re.compile(rb"[\r\n]*+")
_NOT_BLANK = re.compile(rb"[^ \t\r\n]")


class MultipartFormatError(Malformed):
    """The body is not a well-formed multipart body for its boundary."""


@dataclass(frozen=True, slots=True)
class Part:
    """One part: its headers (names as sent), the raw content bytes and, from its headers,
    the lower-cased media type and the file name (``Content-Disposition``)."""

    headers: tuple[tuple[str, str], ...]
    content: bytes = field(repr=False)

    def header(self, name: str) -> str | None:
        lower = name.lower()
        for key, value in self.headers:
            if key.lower() == lower:
                return value
        return None

    @property
    def content_type(self) -> str | None:
        value = self.header("Content-Type")
        if value is None:
            return None
        return value.split(";", 1)[0].strip().lower() or None

    @property
    def filename(self) -> str | None:
        return filename_from_disposition(self.header("Content-Disposition"))


def boundary_of(content_type: str | None) -> str | None:
    """The boundary of a ``multipart/*`` Content-Type, or None when it is not multipart
    or names no usable boundary."""
    if not content_type:
        return None
    media, _, rest = content_type.partition(";")
    if not media.strip().lower().startswith("multipart/"):
        return None
    for param in _split_params(rest):
        key, _, value = param.partition("=")
        if key.strip().lower() != "boundary":
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        return value if _BOUNDARY.fullmatch(value) else None
    return None


def boundary_from_body(body: bytes) -> str | None:
    """The boundary a body opens with (``--<boundary>`` CRLF) and closes with
    (``--<boundary>--``): for a multipart answer sent without a multipart Content-Type."""
    eols = _LEADING_EOLS.match(body)
    start = eols.end() if eols is not None else 0  # always a match, maybe empty
    if not body.startswith(b"--", start):
        return None
    eol = body.find(b"\r\n", start, start + 200)
    line = body[start + 2 : eol] if eol >= 0 else b""
    try:
        candidate = line.decode("ascii").rstrip(" ")
    except UnicodeDecodeError:
        return None
    if not _BOUNDARY.fullmatch(candidate):
        return None
    if b"\r\n--" + line + b"--" not in body:
        return None
    return candidate


def parse_multipart(body: bytes, boundary: str, *, blank_epilogue: bool = False) -> list[Part]:
    """The parts of ``body``; MultipartFormatError when it is not multipart for
    ``boundary`` (missing or wrong boundary, truncated, bare LF line ends), or larger than
    ``MAX_MULTIPART_BYTES`` (refused before any other work).

    ``blank_epilogue``: refuse anything but blanks after the closing delimiter. RFC 2046
    lets a reader ignore an epilogue, but in an answer its server writes in one go, data
    there is the rest of a part that held the closing boundary line, cut short by it.

    The body is parsed in one push: the parser does not copy it, and each part's content
    is one slice of it (joining a single chunk returns that chunk)."""
    if len(body) > MAX_MULTIPART_BYTES:
        raise MultipartFormatError(f"multipart body larger than {MAX_MULTIPART_BYTES} bytes")
    if blank_epilogue:
        _check_epilogue(body, boundary)
    import multipart

    parts: list[Part] = []
    headers: tuple[tuple[str, str], ...] = ()
    chunks: list[bytes | bytearray] = []
    try:
        parser = _parser_class()(
            boundary,
            max_segment_count=MAX_PARTS,
            header_charset="latin1",  # header bytes pass through; values are ASCII by RFC
        )
        with parser:
            for event in _events(parser, body):
                if event is None:
                    parts.append(Part(headers, b"".join(chunks)))
                    chunks = []
                elif isinstance(event, (bytes, bytearray)):
                    chunks.append(event)  # a slice of the body: no second copy
                else:
                    headers = tuple((str(k), str(v)) for k, v in event.headerlist)
    except multipart.MultipartError as exc:
        raise MultipartFormatError(f"bad multipart body: {exc}") from None
    if not parts:
        raise MultipartFormatError("multipart body without parts")
    return parts


def _check_epilogue(body: bytes, boundary: str) -> None:
    """MultipartFormatError when something but blanks follows the closing delimiter: the
    first ``CRLF--boundary--``, where the parser stops (it reads past one only as a header
    line named ``--boundary--``, which nothing but a forged body holds: refusing it is fine)."""
    close = b"\r\n--" + boundary.encode("utf-8") + b"--"
    at = body.find(close)
    if at >= 0 and _NOT_BLANK.search(body, at + len(close)) is not None:
        raise MultipartFormatError(
            "data after the closing boundary (a part holding a boundary line was cut short there)"
        )


def _events(parser: Any, body: bytes) -> Iterator[Any]:
    yield from parser.parse(body)
    yield from parser.parse(b"")  # end of input: raises if the closing boundary is missing


@cache
def _parser_class() -> Any:
    import multipart

    class _AnyPartParser(multipart.PushMultipartParser):  # type: ignore[misc]
        """The package's push parser without its form-data rule: parts here may be
        ``attachment``/``inline`` or have no Content-Disposition at all."""

        def _create_segment(self, headerlist: list[tuple[str, str]]) -> Any:
            return multipart.MultipartSegment(headerlist)

    return _AnyPartParser


def render_multipart(parts: list[Part], boundary: str) -> bytes:
    """The body a server writes for ``parts`` (CRLF line ends), for emulators and tests."""
    out = bytearray()
    for part in parts:
        out += b"--" + boundary.encode("ascii") + b"\r\n"
        for key, value in part.headers:
            out += f"{key}: {value}\r\n".encode("latin1")
        out += b"\r\n" + part.content + b"\r\n"
    out += b"--" + boundary.encode("ascii") + b"--\r\n"
    return bytes(out)


def _split_params(text: str) -> list[str]:
    """``; a=1; b="x;y"`` -> ``['a=1', 'b="x;y"']`` (semicolons inside quotes kept)."""
    params: list[str] = []
    current: list[str] = []
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            params.append("".join(current))
            current = []
        else:
            current.append(ch)
    params.append("".join(current))
    return [p.strip() for p in params if p.strip()]
