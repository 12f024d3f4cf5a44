"""The only contract between the codec and a transport: plain request and response data."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from smsc_proto.upload import MULTIPART_PREFIX, Upload, multipart_body, parse_multipart_form

__all__ = [
    "FORM_CONTENT_TYPE",
    "JSON_CONTENT_TYPE",
    "JSON_HEADERS",
    "form_body",
    "json_body",
    "REQUEST_CHARSET",
    "HttpRequest",
    "HttpResponse",
    "body_text",
    "charset_of",
]

# Requests always ask for and are encoded in UTF-8; SMSC's own default is windows-1251.
REQUEST_CHARSET = "utf-8"
FORM_CONTENT_TYPE = f"application/x-www-form-urlencoded; charset={REQUEST_CHARSET}"
_FORM_HEADERS = (("Content-Type", FORM_CONTENT_TYPE),)
# The body of /rest/send/: the same parameters as one JSON object.
JSON_CONTENT_TYPE = f"application/json; charset={REQUEST_CHARSET}"
JSON_HEADERS = (("Content-Type", JSON_CONTENT_TYPE),)
# What form encoding leaves as it is (quote_plus's own safe set): most values are these.
_PLAIN = re.compile(r"[A-Za-z0-9_.~-]*")


def form_body(fields: Iterable[tuple[str, str]]) -> bytes:
    """``application/x-www-form-urlencoded`` in UTF-8, as ``urlencode`` writes it."""
    from urllib.parse import quote_plus

    plain = _PLAIN.fullmatch
    return "&".join(
        f"{k if plain(k) else quote_plus(k)}={v if plain(v) else quote_plus(v)}" for k, v in fields
    ).encode("ascii")


def json_body(fields: Iterable[tuple[str, str]]) -> bytes:
    """The fields as one JSON object of strings, in UTF-8 (a name given twice is a bug: an
    object cannot carry it twice)."""
    import msgspec

    found = dict(fields)
    pairs = list(fields)
    if len(found) != len(pairs):
        raise ValueError("a JSON body cannot repeat a parameter")
    return msgspec.json.encode(found)


# Credentials, and a sub-client's passwords (users.php).
_NOT_SHOWN = frozenset({"psw", "apikey", "password", "pswc"})


def _is_json(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() == "application/json"


class HttpRequest:
    """What to send: POST ``path`` (relative to a host base URL) with a form body.

    ``fields`` holds the form, credentials included; ``repr`` never shows it.

    >>> HttpRequest("POST", "/sys/balance.php", (("apikey", "k"), ("fmt", "3"))).body
    b'apikey=k&fmt=3'
    """

    __slots__ = ("_body", "fields", "files", "headers", "method", "path")

    def __init__(
        self,
        method: str,
        path: str,
        fields: tuple[tuple[str, str], ...],
        headers: tuple[tuple[str, str], ...] = _FORM_HEADERS,
        files: tuple[tuple[str, Upload], ...] = (),
    ) -> None:
        self.method = method
        self.path = path
        self.fields = fields
        self.headers = headers
        # (part name, file): sent as multipart/form-data parts after the fields.
        self.files = files
        self._body: bytes | None = None

    def __repr__(self) -> str:
        return f"HttpRequest(method={self.method!r}, path={self.path!r})"

    @property
    def content_type(self) -> str | None:
        return next((v for k, v in self.headers if k.lower() == "content-type"), None)

    @property
    def body(self) -> bytes:
        """The fields (and files), encoded once as the Content-Type says (a form, a JSON
        object or multipart/form-data); every attempt sends the same bytes."""
        if self._body is None:
            content_type = self.content_type or ""
            if content_type.startswith(MULTIPART_PREFIX):
                boundary = content_type[len(MULTIPART_PREFIX) :]
                self._body = multipart_body(self.fields, self.files, boundary)
            elif self.files:
                raise ValueError("files need a multipart/form-data Content-Type")  # an op built wrongly
            elif _is_json(content_type):
                self._body = json_body(self.fields)
            else:
                self._body = form_body(self.fields)
        return self._body

    def form(self) -> tuple[tuple[str, str], ...]:
        """What a server reads from the body: the fields, then ``<file NAME>`` for each file
        (as ``parse_body`` gives them)."""
        return (*self.fields, *((name, f"<file {upload.filename}>") for name, upload in self.files))

    def params(self) -> dict[str, str]:
        """The form other than credentials and passwords, for inspection and logging."""
        return {k: v for k, v in self.form() if k not in _NOT_SHOWN}

    @staticmethod
    def parse_body(body: bytes, content_type: str | None = None) -> dict[str, str]:
        """Inverse of ``body``: what a server would read from the form (for a JSON
        ``content_type``, the object, values that are not text as their JSON; for
        multipart/form-data, the parts, ``<file NAME>`` for a file)."""
        if (content_type or "").startswith(MULTIPART_PREFIX):
            return parse_multipart_form(body, content_type or "")
        if _is_json(content_type):
            import msgspec

            found = msgspec.json.decode(body)
            return {
                str(k): v if isinstance(v, str) else msgspec.json.encode(v).decode() for k, v in found.items()
            }
        from urllib.parse import parse_qsl

        return dict(parse_qsl(body.decode("ascii", "replace"), keep_blank_values=True))


class HttpResponse:
    """What came back. ``headers`` keys are matched case-insensitively; ``repr`` leaves out
    the body (it may echo the request form)."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: Mapping[str, str] | None = None, body: bytes = b"") -> None:
        self.status = status
        self.headers: Mapping[str, str] = {} if headers is None else headers
        self.body = body

    def __repr__(self) -> str:
        headers = dict(self.headers)
        return f"HttpResponse(status={self.status!r}, headers={headers!r}, body=<{len(self.body)} bytes>)"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, HttpResponse):
            return NotImplemented
        return (self.status, dict(self.headers), self.body) == (other.status, dict(other.headers), other.body)

    __hash__ = None  # type: ignore[assignment]

    def header(self, name: str) -> str | None:
        found = self.headers.get(name)  # an exact match, or any case in a case-blind mapping
        if found is not None:
            return found
        lower = name.lower()
        for key, value in self.headers.items():
            if key.lower() == lower:
                return value
        return None

    @property
    def ok(self) -> bool:
        """A 2xx status."""
        return 200 <= self.status < 300


@lru_cache(maxsize=64)
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
                # Refuse codecs that are not text encodings (rot13, base64, zlib...), that
                # read escapes (unicode-escape) or that cannot replace a bad byte (idna,
                # punycode): decoders rely on "replace".
                b"\xff0".decode(found, "replace")
            except (LookupError, UnicodeError, ValueError):  # ValueError: a NUL in the name
                return None
            return None if "escape" in found else found
    return None


def body_text(body: bytes, content_type: str | None, requested: str = REQUEST_CHARSET) -> str:
    """Decode a body by its Content-Type charset, else the requested one.

    A UTF-8 BOM is dropped; undecodable bytes become U+FFFD, so the caller's parser, not this
    function, reports a malformed body.
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
            return body.decode("utf-8")
        except UnicodeDecodeError:
            pass
    try:
        return body.decode(charset)
    except UnicodeError:  # not only UnicodeDecodeError: idna and punycode raise UnicodeError
        # SMSC answers in windows-1251 unless told otherwise, whatever a proxy's header says.
        fallback = "windows-1251" if charset != "cp1251" else "utf-8"
        try:
            return body.decode(fallback)
        except UnicodeDecodeError:
            try:
                return body.decode(charset, "replace")
            except UnicodeError:  # idna and punycode know no "replace"
                return body.decode("utf-8", "replace")
