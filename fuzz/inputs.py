"""How a fuzz input maps to a response: a 5-byte header, then the body.

``[fmt, content type, HTTP status, op variant, chunk size] + body``: the fmt asked for (mod 4),
an index into ``CONTENT_TYPES`` (at or above ``CUSTOM_CT`` the Content-Type is the body's
first line, so the fuzzer can craft charsets and multipart boundaries), an index into
``STATUSES``, which op instance of the op id (``op_samples.samples_for``), and the size of
the chunks fed to the stream decoder (0: the whole body at once). Pure data: this module
imports nothing from smsc_proto, so harnesses can import it before instrumenting. Example::

    data = encode(3, {"Content-Type": "application/json"}, 200, b'{"cnt": 1}')
    assert decode(data) == (3, {"Content-Type": "application/json"}, 200, 0, 0, b'{"cnt": 1}')
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["CONTENT_TYPES", "CUSTOM_CT", "HEADER", "STATUSES", "chunks", "decode", "encode"]

HEADER = 5
CUSTOM_CT = 0xF0

STATUSES: tuple[int, ...] = (200, 200, 200, 201, 204, 206, 302, 400, 403, 404, 429, 500, 502, 503)

CONTENT_TYPES: tuple[str | None, ...] = (
    None,
    "text/plain; charset=utf-8",
    "application/json; charset=utf-8",
    "text/xml; charset=utf-8",
    "text/plain; charset=windows-1251",
    "text/html",
    "text/csv; charset=utf-8",
    "text/csv; charset=windows-1251",
    "application/pdf",
    "application/octet-stream",
    'multipart/mixed; boundary="b"',
    "multipart/form-data; boundary=----smsc",
    "multipart/mixed",
    "text/plain; charset=koi8-r",
    "text/plain; charset=utf-16",
    'application/json; charset="UTF-8"',
    "text/plain; charset=rot13",
    "text/plain; charset=idna",
    "text/plain; charset=bogus",
    "text/csv; charset=utf-16",
    "text/csv; charset=punycode",
    "application/json; charset=utf-32",
)


def decode(data: bytes) -> tuple[int, dict[str, str], int, int, int, bytes] | None:
    """(fmt, headers, status, variant, chunk size, body), or None for a too short input."""
    if len(data) < HEADER:
        return None
    fmt, ct, status, variant, chunk = data[:HEADER]
    body = data[HEADER:]
    headers: dict[str, str] = {}
    if ct >= CUSTOM_CT:
        line, _, body = body.partition(b"\n")
        headers["Content-Type"] = line.decode("latin-1")
    else:
        content_type = CONTENT_TYPES[ct % len(CONTENT_TYPES)]
        if content_type is not None:
            headers["Content-Type"] = content_type
    return fmt % 4, headers, STATUSES[status % len(STATUSES)], variant, chunk, body


def encode(
    fmt: int, headers: Mapping[str, str], status: int, body: bytes, *, variant: int = 0, chunk: int = 0
) -> bytes:
    """The fuzz input that ``decode`` turns back into this response (seed corpora)."""
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    status_index = STATUSES.index(status) if status in STATUSES else 0
    if content_type in CONTENT_TYPES:
        ct = CONTENT_TYPES.index(content_type)
    else:
        ct, body = CUSTOM_CT, (content_type or "").encode("latin-1", "replace") + b"\n" + body
    return bytes([fmt % 4, ct, status_index, variant % 256, chunk % 256]) + body


def chunks(body: bytes, size: int) -> list[bytes]:
    """``body`` in pieces of ``size`` bytes (one piece when ``size`` is 0)."""
    if size <= 0 or not body:
        return [body]
    return [body[i : i + size] for i in range(0, len(body), size)]
