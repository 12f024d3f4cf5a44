"""PDF files (invoices and acts of documents.php): recognising a whole one.

The codec does not read PDFs; it checks that a body is one whole file, from the ``%PDF-``
header to the ``%%EOF`` marker on its last line, so that neither an error page nor a file
cut short (a body cut mid-read, a multipart part cut at a boundary line) is handed to the
caller as a document.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["PDF_EOF", "PDF_MAGIC", "is_whole_pdf", "looks_like_pdf", "pdf_start"]

PDF_MAGIC = b"%PDF-"
PDF_EOF = b"%%EOF"
# Leading bytes tolerated before ``%PDF-``: a UTF-8 BOM and ASCII whitespace, which PHP
# back ends are known to emit before the real output (a newline after a closing ``?>``).
# Matched in C, possessively: a body of megabytes of blanks is skipped at once, not copied.
_LEADING_JUNK = re.compile(rb"[ \t\r\n\x0c]*+")
# After ``%%EOF``: its end-of-line marker and blanks only (PDF white space but NUL, which
# would be padding of unknown origin). Anything else is junk after the file.
_TRAILING_SPACE = b" \t\r\n\x0c"
# Trailing blanks are looked at backwards in blocks: a copy of a block, never of the file.
_BLOCK = 4096


def pdf_start(body: bytes) -> int | None:
    """Where the PDF begins in ``body`` (after a BOM and whitespace), or None if it is not
    a PDF. The bytes before it are not part of the file: a generator computes its xref
    offsets from ``%PDF-``, so the file handed out starts there."""
    start = len(codecs.BOM_UTF8) if body.startswith(codecs.BOM_UTF8) else 0
    blanks = _LEADING_JUNK.match(body, start)
    if blanks is not None:  # always: the pattern matches the empty string too
        start = blanks.end()
    return start if body.startswith(PDF_MAGIC, start) else None


def looks_like_pdf(body: bytes) -> bool:
    """True when ``body`` starts as a PDF file (``%PDF-``, after a BOM and whitespace)."""
    return pdf_start(body) is not None


def is_whole_pdf(body: bytes, start: int = 0) -> bool:
    """True when ``body[start:]`` is a whole PDF: ``%PDF-`` at ``start``, and a last line
    holding only ``%%EOF`` (ISO 32000 7.5.5), followed by blanks only. A file with
    incremental updates has one ``%%EOF`` per revision: the last one counts, so a file cut
    right after an earlier one passes (nothing in the bytes tells it apart from an older
    revision); a file cut anywhere else, or followed by other data, does not."""
    if not body.startswith(PDF_MAGIC, start):
        return False
    end = len(body)
    while end > start:
        block = body[max(start, end - _BLOCK) : end]
        kept = len(block.rstrip(_TRAILING_SPACE))
        end -= len(block) - kept
        if kept:
            break
    marker = end - len(PDF_EOF)
    return (
        marker > start + len(PDF_MAGIC)
        and body.startswith(PDF_EOF, marker)
        and body[marker - 1 : marker] in (b"\r", b"\n")
    )
