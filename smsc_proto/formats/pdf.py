"""PDF files (invoices and acts of documents.php): recognising one, naming it.

The codec does not read PDFs; it only checks the ``%PDF-`` header so that an error page or
a JSON answer is never handed to the caller as a document.
"""

from __future__ import annotations

import codecs
from urllib.parse import unquote_to_bytes

__all__ = ["PDF_MAGIC", "filename_from_disposition", "looks_like_pdf", "pdf_start"]

PDF_MAGIC = b"%PDF-"
# Leading bytes tolerated before ``%PDF-``: a UTF-8 BOM and ASCII whitespace, which PHP
# back ends are known to emit before the real output (a newline after a closing ``?>``).
_LEADING_JUNK = b" \t\r\n\x0c"


def pdf_start(body: bytes) -> int | None:
    """Where the PDF begins in ``body`` (after a BOM and whitespace), or None if it is not
    a PDF. The bytes before it are not part of the file: a generator computes its xref
    offsets from ``%PDF-``, so the file handed out starts there."""
    start = len(codecs.BOM_UTF8) if body.startswith(codecs.BOM_UTF8) else 0
    while start < len(body) and body[start] in _LEADING_JUNK:
        start += 1
    return start if body.startswith(PDF_MAGIC, start) else None


def looks_like_pdf(body: bytes) -> bool:
    """True when ``body`` is a PDF file (``%PDF-``, after a BOM and whitespace)."""
    return pdf_start(body) is not None


def filename_from_disposition(value: str | None) -> str | None:
    """The file name of a ``Content-Disposition`` header, as a bare name.

    ``filename*`` (RFC 6266/5987, ``UTF-8''%D0%A1...``) wins over ``filename``; raw
    non-ASCII names (sent as UTF-8 or windows-1251 bytes) are recovered from the way the
    HTTP library decoded them. Directory parts and control characters are dropped so the
    name is safe to save under.

    >>> filename_from_disposition('attachment; filename="invoice 12.pdf"')
    'invoice 12.pdf'
    """
    if not value:
        return None
    plain: str | None = None
    extended: str | None = None
    for key, raw in _params(value):
        if key == "filename*":
            extended = _decode_extended(raw)
        elif key == "filename":
            plain = _repair(_unquote(raw))
    return _safe_name(extended if extended is not None else plain)


def _params(value: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    rest = value.partition(";")[2]
    while rest:
        rest = rest.lstrip(" \t;")
        key, eq, rest = rest.partition("=")
        if not eq:
            break
        rest = rest.lstrip(" \t")
        if rest.startswith('"'):
            # A quoted string: up to the next unescaped quote.
            i, chars = 1, []
            while i < len(rest) and rest[i] != '"':
                if rest[i] == "\\" and i + 1 < len(rest):
                    i += 1
                chars.append(rest[i])
                i += 1
            raw = '"' + "".join(chars) + '"'
            rest = rest[i + 1 :]
        else:
            raw, _, rest = rest.partition(";")
        out.append((key.strip().lower(), raw.strip()))
    return out


def _unquote(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return raw[1:-1]
    return raw


def _decode_extended(raw: str) -> str | None:
    charset, sep, rest = _unquote(raw).partition("'")
    if not sep:
        return None
    _language, sep, encoded = rest.partition("'")
    if not sep:
        return None
    try:
        return unquote_to_bytes(encoded).decode(charset.strip() or "utf-8")
    except (LookupError, ValueError):  # unknown charset; bytes not in it (UnicodeError)
        return None


def _repair(name: str) -> str:
    """Undo the HTTP library's decoding of raw non-ASCII header bytes (latin-1 in
    http.client, surrogate escapes in aiohttp): UTF-8 if they are UTF-8, else
    windows-1251, SMSC's default charset."""
    if name.isascii():
        return name
    try:
        raw = name.encode("latin-1")
    except UnicodeEncodeError:
        try:
            raw = name.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            return name
    for charset in ("utf-8", "cp1251"):
        try:
            return raw.decode(charset)
        except UnicodeDecodeError:
            continue
    return name


def _safe_name(name: str | None) -> str | None:
    if name is None:
        return None
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name if name not in ("", ".", "..") else None
