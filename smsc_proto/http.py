"""The only contract between the codec and a transport: plain request and response data."""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

__all__ = ["HttpRequest", "HttpResponse", "REQUEST_CHARSET", "body_text", "charset_of"]

# Requests always ask for and are encoded in UTF-8; SMSC's own default is windows-1251.
REQUEST_CHARSET = "utf-8"
FORM_CONTENT_TYPE = f"application/x-www-form-urlencoded; charset={REQUEST_CHARSET}"


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """What to send: POST ``path`` (relative to a host base URL) with a form body.

    ``fields`` holds the form, credentials included; ``repr`` never shows it.
    """

    method: str
    path: str
    fields: tuple[tuple[str, str], ...] = field(repr=False)
    headers: tuple[tuple[str, str], ...] = (("Content-Type", FORM_CONTENT_TYPE),)

    @property
    def body(self) -> bytes:
        return urlencode(self.fields, encoding=REQUEST_CHARSET).encode("ascii")

    def params(self) -> dict[str, str]:
        """The form fields other than credentials, for inspection and logging."""
        return {k: v for k, v in self.fields if k not in ("psw", "apikey")}

    @staticmethod
    def parse_body(body: bytes) -> dict[str, str]:
        """Inverse of ``body``: what a server would read from the form."""
        return dict(parse_qsl(body.decode("ascii", "replace"), keep_blank_values=True))


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """What came back. ``headers`` keys are matched case-insensitively."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = field(default=b"", repr=False)

    def header(self, name: str) -> str | None:
        lower = name.lower()
        for key, value in self.headers.items():
            if key.lower() == lower:
                return value
        return None


def charset_of(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type, if it names a codec Python knows."""
    if not content_type:
        return None
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "charset":
            name = value.strip().strip("\"'")
            try:
                found = codecs.lookup(name).name
                # Refuse codecs that are not text encodings (rot13, base64, zlib...) or that
                # cannot replace a bad byte (idna, punycode): decoders rely on "replace".
                b"\xff0".decode(found, "replace")
            except (LookupError, UnicodeError, ValueError):  # ValueError: a NUL in the name
                return None
            return found
    return None


def body_text(body: bytes, content_type: str | None, requested: str = REQUEST_CHARSET) -> str:
    """Decode a body by its Content-Type charset, else the requested one.

    A UTF-8 BOM and trailing line breaks are dropped; undecodable bytes become U+FFFD, so
    the caller's parser, not this function, reports a malformed body.
    """
    charset = charset_of(content_type) or requested
    if body.startswith(codecs.BOM_UTF8):
        body = body[len(codecs.BOM_UTF8) :]
        charset = "utf-8"
    if charset != "utf-8" and not body.isascii():
        # Cyrillic in windows-1251/koi8-r is practically never valid UTF-8, while a static
        # `charset=windows-1251` header on a body asked for (and sent) in UTF-8 is a live
        # possibility (spec/common.md): valid UTF-8 wins.
        try:
            return body.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            pass
    try:
        text = body.decode(charset)
    except UnicodeError:  # not only UnicodeDecodeError: idna and punycode raise UnicodeError
        # SMSC answers in windows-1251 unless told otherwise, whatever a proxy's header says.
        fallback = "windows-1251" if charset != "cp1251" else "utf-8"
        try:
            text = body.decode(fallback)
        except UnicodeDecodeError:
            try:
                text = body.decode(charset, "replace")
            except UnicodeError:  # idna and punycode know no "replace"
                text = body.decode("utf-8", "replace")
    return text.rstrip("\r\n")
