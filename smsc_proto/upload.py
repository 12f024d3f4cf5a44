"""Files sent with a request (``Upload``) and the ``multipart/form-data`` body that carries them.

An op with files (an MMS's pictures, a sender name's document) is posted as
``multipart/form-data`` instead of a form: one part per parameter, then one per file. The
boundary is derived from a hash of the op's parameters and files, never of the credentials
(the codec reads no randomness, and the same op gives the same bytes on every attempt); it
cannot occur inside a part, since no part can contain a hash of itself.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable

import msgspec

__all__ = [
    "MULTIPART_PREFIX",
    "Upload",
    "multipart_body",
    "multipart_boundary",
    "multipart_headers",
    "parse_multipart_form",
]

MULTIPART_PREFIX = "multipart/form-data; boundary="
# A file name as a server stores it: no directory, no control characters, no quote (which
# would end the header's quoted string), and short enough for any file system.
_MAX_FILENAME = 255
_BAD_FILENAME = re.compile(r'[\x00-\x1f\x7f"\\/\ud800-\udfff]')
# RFC 6838 type/subtype, no parameters.
_MEDIA_TYPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}")


class Upload(msgspec.Struct, frozen=True):
    """A file to send: its ``filename`` (a bare name, no directory), its ``content`` and its
    ``content_type``. ``repr`` shows the size, never the content.

    >>> Upload("logo.png", b"12345", "image/png")
    Upload(filename='logo.png', size=5, content_type='image/png')

    A bad name or type raises ``ValueError`` saying which and why; an op that takes files
    checks their size and kind before anything is sent.
    """

    filename: str
    content: bytes
    content_type: str = "application/octet-stream"

    def __post_init__(self) -> None:
        if not isinstance(self.filename, str) or not self.filename.strip():
            raise ValueError(f"Upload filename={self.filename!r}: must be a non-empty name")
        if len(self.filename) > _MAX_FILENAME:
            raise ValueError(f"Upload filename: longer than {_MAX_FILENAME} characters")
        bad = _BAD_FILENAME.search(self.filename)
        if bad is not None:
            raise ValueError(
                f"Upload filename={self.filename!r}: holds {bad.group()!r} "
                "(a bare file name: no directory, quote or control character)"
            )
        if not isinstance(self.content, bytes):
            raise ValueError(
                f"Upload {self.filename!r}: content must be bytes, not {type(self.content).__name__}"
            )
        if not isinstance(self.content_type, str) or not _MEDIA_TYPE.fullmatch(self.content_type):
            raise ValueError(
                f"Upload {self.filename!r}: content_type={self.content_type!r} is not a media type "
                "(type/subtype, e.g. image/png)"
            )

    def __repr__(self) -> str:
        size = len(self.content)
        return f"Upload(filename={self.filename!r}, size={size}, content_type={self.content_type!r})"

    @property
    def extension(self) -> str:
        """The file name's extension, lower case, without the dot (``""`` when none)."""
        stem, dot, ext = self.filename.rpartition(".")
        return ext.lower() if dot and stem else ""


def multipart_boundary(fields: Iterable[tuple[str, str]], files: Iterable[tuple[str, Upload]]) -> str:
    """The boundary of a body of ``fields`` and ``files``: their hash (give the op's own
    fields, not the credentials: the boundary travels in a header)."""
    digest = hashlib.sha256()
    for name, value in fields:
        digest.update(b"%d:%s%d:%s" % (len(name), name.encode(), len(value), value.encode()))
    for name, upload in files:
        digest.update(b"%d:%s" % (len(name), name.encode()))
        digest.update(b"%d:%s" % (len(upload.filename), upload.filename.encode()))
        digest.update(b"%d:%s" % (len(upload.content_type), upload.content_type.encode()))
        digest.update(b"%d:" % len(upload.content))
        digest.update(upload.content)
    return "smsc-proto-" + digest.hexdigest()[:40]


def multipart_headers(boundary: str) -> tuple[tuple[str, str], ...]:
    return (("Content-Type", MULTIPART_PREFIX + boundary),)


def _quoted(value: str) -> str:
    # Names and file names never hold a quote or a line break (checked above and by the
    # ops); the HTML form encoding of anything else non-ASCII is UTF-8, as sent here.
    return value.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def multipart_body(
    fields: Iterable[tuple[str, str]], files: Iterable[tuple[str, Upload]], boundary: str
) -> bytes:
    """``multipart/form-data`` in UTF-8: a part per field, then a part per file."""
    dash = b"--" + boundary.encode("ascii")
    chunks: list[bytes] = []
    for name, value in fields:
        chunks += (
            dash,
            b'\r\nContent-Disposition: form-data; name="%s"\r\n\r\n' % _quoted(name).encode(),
            value.encode("utf-8"),
            b"\r\n",
        )
    for name, upload in files:
        chunks += (
            dash,
            b'\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\nContent-Type: %s\r\n\r\n'
            % (
                _quoted(name).encode(),
                _quoted(upload.filename).encode(),
                upload.content_type.encode("ascii"),
            ),
            upload.content,
            b"\r\n",
        )
    chunks += (dash, b"--\r\n")
    return b"".join(chunks)


def parse_multipart_form(body: bytes, content_type: str) -> dict[str, str]:
    """What a server reads from a ``multipart/form-data`` body: each text part's value, and
    ``<file NAME>`` for a file part (tests and emulators)."""
    import multipart

    _, options = multipart.parse_options_header(content_type)
    boundary = options.get("boundary")
    if not boundary:
        raise ValueError("multipart/form-data without a boundary")
    found: dict[str, str] = {}
    for part in multipart.MultipartParser(io.BytesIO(body), boundary, charset="utf-8"):
        found[str(part.name)] = part.value if part.filename is None else f"<file {part.filename}>"
    return found
