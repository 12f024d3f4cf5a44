"""documents.php: invoices and acts of sub-clients (``documents.add_account``,
``documents.get_account``, ``documents.get_act``). spec/documents.md

The answers are files, not text: ``add_account`` answers a multipart body (a JSON part with
the new invoice's id and amount, then the invoice PDF), the two others a bare PDF. Errors
are the usual envelope (JSON when ``fmt=3``, the default here). These are file ops
(``file_op.FileOp``): a PDF or multipart body is taken apart here, and any other body raises
the API error an envelope carries in any fmt, or a DecodeError.

A PDF is handed out only whole (``%PDF-`` ... ``%%EOF``, then blanks only): a body cut
mid-read, a PDF part cut short by a boundary line inside it, or data after the file is a
DecodeError rather than a document that will not open.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import ClassVar, TypeVar

import msgspec

from smsc_proto.decode import find_error, not_the_file
from smsc_proto.errors import DecodeError, Malformed, NotFoundError, OperationFailedError
from smsc_proto.file_op import FileOp
from smsc_proto.formats.disposition import attachment, filename_from_disposition
from smsc_proto.formats.json import render_json
from smsc_proto.formats.multipart import (
    MAX_MULTIPART_BYTES,
    Part,
    boundary_from_body,
    boundary_of,
    parse_multipart,
    render_multipart,
)
from smsc_proto.formats.pdf import is_whole_pdf, pdf_start
from smsc_proto.http import HttpResponse, body_text
from smsc_proto.op import ErrorTable
from smsc_proto.ops._checks import check_not_empty, check_one_of, check_positive
from smsc_proto.ratelimit import RateLimit
from smsc_proto.shape import Shape, ShapeDecoder

__all__ = [
    "DOCUMENTS_ERRORS",
    "DocumentFile",
    "DocumentsAddAccount",
    "DocumentsGetAccount",
    "DocumentsGetAct",
    "InvoiceResult",
]

R = TypeVar("R")

DOCUMENTS_ERRORS: ErrorTable = {
    5: (OperationFailedError, "error creating the invoice"),
    6: (NotFoundError, "sub-login not found"),
    7: (NotFoundError, "document not found"),
}
_BOUNDARY = "smsc-invoice"
_JSON_LEAD = re.compile(rb"[\xef\xbb\xbf \t\r\n]*+")


class InvoiceResult(msgspec.Struct, frozen=True):
    """A new invoice: its ``id``, its amount ``sum``, and the invoice itself as PDF bytes
    (``filename`` as the server named it, if it did)."""

    id: int | str
    sum: Decimal
    pdf: bytes
    filename: str | None = None


class DocumentFile(msgspec.Struct, frozen=True):
    """An invoice or act as PDF bytes, with the server's file name if it gave one."""

    pdf: bytes
    filename: str | None = None


class _InvoiceHead(msgspec.Struct, frozen=True):
    """The JSON part of an ``add_account`` answer. Its key names are not documented:
    ``id`` (or ``account_id``/``invoice_id``), the amount under ``sum`` or ``amount``."""

    id: int | str | None = None
    account_id: int | str | None = None
    invoice_id: int | str | None = None
    sum: Decimal | None = None
    amount: Decimal | None = None


_HEAD: ShapeDecoder[_InvoiceHead] = Shape(text=None, csv=None).decoder(_InvoiceHead)


class _Documents(FileOp[R], frozen=True, kw_only=True):
    """The parameters shared by the documents.php commands: whose document it is."""

    user: str | None = None
    user_id: int | None = None

    path: ClassVar[str] = "/sys/documents.php"
    errors: ClassVar[ErrorTable] = DOCUMENTS_ERRORS
    # One create-or-fetch request per minute (documents.md); counted per identical request.
    rate_limit: ClassVar[RateLimit | None] = RateLimit(1)

    def validate(self) -> None:
        check_one_of(self, ("user", "user_id"), (self.user, self.user_id))
        if self.user is not None:
            check_not_empty(self, "user", self.user.strip())
        check_positive(self, "user_id", self.user_id)

    def _not_expected(self, reason: str, body: bytes | str) -> DecodeError:
        return DecodeError(self.op_id, reason, body)


class _DocumentFileOp(_Documents[DocumentFile], frozen=True, kw_only=True):
    """An op whose answer is a bare PDF (``get_account``, ``get_act``)."""

    def decode(self, response: HttpResponse) -> DocumentFile:
        """The PDF of the response, or the API error it carries (in any envelope)."""
        start = pdf_start(response.body)
        if start is None:
            if boundary_of(response.header("Content-Type")) is not None:
                raise self._not_expected("a multipart answer where a PDF file was expected", response.body)
            not_the_file(self, response, "a PDF file")
        self.require_success(response)
        if not is_whole_pdf(response.body, start):
            raise self._not_expected(
                "the PDF file is not whole: no %%EOF line at its end (cut short, or other data after it)",
                response.body,
            )
        return DocumentFile(
            pdf=response.body[start:],
            filename=filename_from_disposition(response.header("Content-Disposition")),
        )

    def render(self, result: DocumentFile, fmt: int | None = None) -> HttpResponse:
        headers = {"Content-Type": "application/pdf"}
        if result.filename is not None:
            headers["Content-Disposition"] = attachment(result.filename)
        return HttpResponse(200, headers, result.pdf)


class DocumentsAddAccount(_Documents[InvoiceResult], frozen=True, kw_only=True):
    """Create an invoice of ``sum`` for the sub-client ``user`` (or ``user_id``); the answer
    carries the invoice's id and amount and the invoice PDF.

    >>> op = DocumentsAddAccount(user="client1", sum=Decimal("1500.00"), service="SMS")
    >>> op.params()[:3]
    [('add_account', '1'), ('user', 'client1'), ('sum', '1500.00')]

    Creates a document: never repeated once the request may have reached the server.
    """

    sum: Decimal
    service: str | None = None

    op_id: ClassVar[str] = "documents.add_account"
    command: ClassVar[str | None] = "add_account"
    idempotent: ClassVar[bool] = False

    def validate(self) -> None:
        super().validate()
        if not self.sum.is_finite() or self.sum <= 0:
            raise self.invalid("sum", self.sum, "must be a positive amount")

    def decode(self, response: HttpResponse) -> InvoiceResult:
        """The invoice of a multipart answer (JSON part + PDF part), or the API error."""
        body = response.body
        # Before any scan of the body: an answer this large is no invoice.
        if len(body) > MAX_MULTIPART_BYTES:
            raise self._not_expected(f"answer larger than {MAX_MULTIPART_BYTES} bytes", body)
        if pdf_start(body) is not None:
            raise self._not_expected("a bare PDF where a multipart answer was expected", body)
        boundary = boundary_of(response.header("Content-Type")) or boundary_from_body(body)
        if boundary is None:
            not_the_file(self, response, "a multipart answer (a JSON part and the invoice PDF)")
        try:
            # The server writes the answer in one go: data after its end is the rest of a
            # part that held the closing boundary line.
            parts = parse_multipart(body, boundary, blank_epilogue=True)
        except Malformed as exc:
            raise self._not_expected(str(exc), body) from None
        return self._from_parts(parts, response)

    def _from_parts(self, parts: list[Part], response: HttpResponse) -> InvoiceResult:
        pdf_part = next((p for p in parts if _is_pdf_part(p) and not _is_json(p)), None)
        head_part = next((p for p in parts if _is_json(p)), None)
        if head_part is None:
            # No part says JSON: a text part may still hold an error envelope.
            head_part = next((p for p in parts if p is not pdf_part), None)
        if head_part is None:
            raise self._not_expected("multipart answer without its JSON part", response.body)
        head = self._head(body_text(head_part.content, head_part.header("Content-Type")))
        if pdf_part is None:
            raise self._not_expected("multipart answer without its PDF part", response.body)
        start = pdf_start(pdf_part.content)
        if start is None:
            raise self._not_expected("the PDF part is not a PDF file", pdf_part.content)
        if not is_whole_pdf(pdf_part.content, start):
            raise self._not_expected(
                "the PDF part is not a whole PDF: no %%EOF line at its end (cut short, by a"
                " boundary line inside it or in transit, or other data after it)",
                pdf_part.content,
            )
        self.require_success(response)
        invoice_id = next((v for v in (head.id, head.account_id, head.invoice_id) if v is not None), None)
        if invoice_id is None:
            raise self._not_expected("the JSON part has no invoice id", head_part.content)
        amount = next((v for v in (head.sum, head.amount) if v is not None), None)
        return InvoiceResult(
            id=invoice_id,
            # The amount's key is undocumented; without one, the invoice is for the sum asked.
            sum=self.sum if amount is None else amount,
            pdf=pdf_part.content[start:],
            filename=pdf_part.filename,
        )

    def _head(self, text: str) -> _InvoiceHead:
        """The JSON part: the API error it carries (any envelope), or the invoice's head."""
        error = find_error(text)
        if error is not None:
            raise self.error_for(error)
        body = text.strip()
        if body[:1] != "{":
            raise self._not_expected("the first part is not a JSON object", text)
        try:
            return _HEAD.from_json(body)
        except Malformed as exc:
            raise self._not_expected(str(exc), text) from None

    def render(self, result: InvoiceResult, fmt: int | None = None) -> HttpResponse:
        head = render_json({"id": result.id, "sum": format(result.sum, "f")})
        disposition = attachment(result.filename)
        body = render_multipart(
            [
                Part((("Content-Type", "application/json; charset=utf-8"),), head.encode("utf-8")),
                Part((("Content-Type", "application/pdf"), ("Content-Disposition", disposition)), result.pdf),
            ],
            _BOUNDARY,
        )
        return HttpResponse(200, {"Content-Type": f"multipart/mixed; boundary={_BOUNDARY}"}, body)


class DocumentsGetAccount(_DocumentFileOp, frozen=True, kw_only=True):
    """The PDF of invoice ``id`` of the sub-client ``user`` (or ``user_id``).

    >>> DocumentsGetAccount(user_id=17, id=301).params()[:3]
    [('get_account', '1'), ('user_id', '17'), ('id', '301')]
    """

    id: int

    op_id: ClassVar[str] = "documents.get_account"
    command: ClassVar[str | None] = "get_account"

    def validate(self) -> None:
        super().validate()
        check_positive(self, "id", self.id)


class DocumentsGetAct(_DocumentFileOp, frozen=True, kw_only=True):
    """The PDF of an act of the sub-client ``user`` (or ``user_id``), by ``id`` or by its
    number ``num``.

    >>> DocumentsGetAct(user="client1", num="A-12").params()[:3]
    [('get_act', '1'), ('user', 'client1'), ('num', 'A-12')]
    """

    id: int | None = None
    num: str | None = None

    op_id: ClassVar[str] = "documents.get_act"
    command: ClassVar[str | None] = "get_act"

    def validate(self) -> None:
        super().validate()
        check_one_of(self, ("id", "num"), (self.id, self.num))
        check_positive(self, "id", self.id)
        if self.num is not None:
            check_not_empty(self, "num", self.num.strip())


def _is_json(part: Part) -> bool:
    ctype = part.content_type or ""
    if ctype == "application/json" or ctype.endswith("+json"):
        return True
    if ctype in ("application/pdf", "application/octet-stream"):
        return False
    # The first byte after a BOM and blanks, found without copying the content (a PDF).
    lead = _JSON_LEAD.match(part.content)
    return lead is not None and part.content[lead.end() : lead.end() + 1] in (b"{", b"[")


def _is_pdf_part(part: Part) -> bool:
    """The part meant as the file: PDF by type, name or content (checked for ``%PDF-``
    afterwards, so a part that only claims to be a PDF is still refused)."""
    if part.content_type in ("application/pdf", "application/x-pdf", "application/octet-stream"):
        return True
    name = part.filename or ""
    return name.lower().endswith(".pdf") or pdf_start(part.content) is not None
