"""PDF files (invoices and acts of documents.php): recognising one.

The codec does not read PDFs; it only checks the ``%PDF-`` header so that an error page or
a JSON answer is never handed to the caller as a document.
"""

from __future__ import annotations

import codecs

__all__ = ["PDF_MAGIC", "looks_like_pdf", "pdf_start"]

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
