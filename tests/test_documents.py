"""documents.php ops: parameters, byte-level decoding of PDF / multipart answers, errors."""

from __future__ import annotations

import re
import subprocess
import sys
from decimal import Decimal
from typing import Any

import pytest
from documents_support import (
    BOUNDARY,
    JSON_TYPE,
    PDF_TYPE,
    invoice_body,
    json_part,
    minimal_pdf,
    multipart_type,
    pdf_part,
)
from hypothesis import given, settings, strategies as st

from smsc_proto import (
    OPS,
    AuthenticationError,
    Credentials,
    DecodeError,
    DocumentFile,
    DocumentsAddAccount,
    DocumentsGetAccount,
    DocumentsGetAct,
    FileOp,
    HttpResponse,
    InvalidParameter,
    InvoiceResult,
    IpBlockedError,
    NotFoundError,
    OperationFailedError,
    ParameterError,
    RateLimit,
    RateLimitedError,
    SmscError,
    SmscProtoError,
)
from smsc_proto.formats.disposition import filename_from_disposition
from smsc_proto.formats.multipart import (
    MAX_MULTIPART_BYTES,
    Part,
    boundary_of,
    parse_multipart,
    render_multipart,
)
from smsc_proto.formats.pdf import is_whole_pdf, looks_like_pdf, pdf_start
from smsc_proto.op import Fmt

PDF = minimal_pdf("Invoice 4511")
ADD = DocumentsAddAccount(user="client1", sum=Decimal("1500.00"))
GET_ACCOUNT = DocumentsGetAccount(user="client1", id=4511)
GET_ACT = DocumentsGetAct(user_id=17, num="A-118")
INVOICE = InvoiceResult(id=4511, sum=Decimal("1500.00"), pdf=PDF, filename="account_4511.pdf")


def _response(
    body: bytes | str, content_type: str | None = None, status: int = 200, **headers: str
) -> HttpResponse:
    data = body.encode("utf-8") if isinstance(body, str) else body
    all_headers = {k.replace("_", "-"): v for k, v in headers.items()}
    if content_type is not None:
        all_headers["Content-Type"] = content_type
    return HttpResponse(status, all_headers, data)


# -- the test PDF itself ---------------------------------------------------------------------


def test_minimal_pdf_has_a_consistent_cross_reference_table() -> None:
    assert PDF.startswith(b"%PDF-1.4") and PDF.rstrip().endswith(b"%%EOF")
    startxref = int(re.findall(rb"startxref\n(\d+)", PDF)[-1])
    assert PDF[startxref:].startswith(b"xref")
    offsets = [int(m) for m in re.findall(rb"(\d{10}) 00000 n", PDF)]
    for number, offset in enumerate(offsets, start=1):
        assert PDF[offset:].startswith(f"{number} 0 obj".encode())


# -- parameters ------------------------------------------------------------------------------


def test_add_account_params_and_class_facts() -> None:
    op = DocumentsAddAccount.from_params({"user_id": 17, "sum": "250.5", "service": "SMS mailing"})
    assert op.params() == [
        ("add_account", "1"),
        ("user_id", "17"),
        ("sum", "250.5"),
        ("service", "SMS mailing"),
        ("fmt", "3"),
        ("charset", "utf-8"),
    ]
    assert isinstance(op, DocumentsAddAccount) and op.sum == Decimal("250.5")
    assert op.request(Credentials(login="acme", psw="pw")).path == "/sys/documents.php"
    assert not DocumentsAddAccount.idempotent
    assert DocumentsGetAccount.idempotent and DocumentsGetAct.idempotent


def test_ops_are_registered() -> None:
    assert OPS["documents.add_account"] is DocumentsAddAccount
    assert OPS["documents.get_account"] is DocumentsGetAccount
    assert OPS["documents.get_act"] is DocumentsGetAct


@pytest.mark.parametrize("cls", [DocumentsAddAccount, DocumentsGetAccount, DocumentsGetAct])
def test_each_documents_op_allows_one_identical_request_a_minute(cls: Any) -> None:
    assert cls.rate_limit == RateLimit(1)


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: DocumentsAddAccount(sum=Decimal(1)), "user or user_id"),
        (lambda: DocumentsAddAccount(user="a", user_id=1, sum=Decimal(1)), "user or user_id"),
        (lambda: DocumentsAddAccount(user="a", sum=Decimal(0)), "sum"),
        (lambda: DocumentsAddAccount(user="a", sum=Decimal("-5")), "sum"),
        (lambda: DocumentsAddAccount(user="a", sum=Decimal("NaN")), "sum"),
        (lambda: DocumentsAddAccount(user="a", sum="lots"), "sum"),  # type: ignore[arg-type]
        (lambda: DocumentsAddAccount(user=" ", sum=Decimal(1)), "user"),
        (lambda: DocumentsGetAccount(user="a", id=0), "id"),
        (lambda: DocumentsGetAccount(user_id=-1, id=3), "user_id"),
        (lambda: DocumentsGetAct(user="a"), "id or num"),
        (lambda: DocumentsGetAct(user="a", id=1, num="2"), "id or num"),
        (lambda: DocumentsGetAct(user="a", num=""), "num"),
    ],
)
def test_invalid_parameters_name_the_field(build: Any, field: str) -> None:
    with pytest.raises(InvalidParameter) as info:
        build()
    assert info.value.field == field


def test_from_params_builds_ops_as_fixtures_give_them() -> None:
    op = DocumentsAddAccount.from_params({"user": "client1", "sum": "1500.00"}, fmt=0)
    assert op == DocumentsAddAccount(user="client1", sum=Decimal("1500.00"), fmt=0)
    act = DocumentsGetAct.from_params({"user_id": "17", "id": "5", "get_act": "1"})
    assert act == DocumentsGetAct(user_id=17, id=5)


# -- add_account: multipart ------------------------------------------------------------------


def test_add_account_decodes_the_json_and_pdf_parts() -> None:
    result = ADD.decode(_response(invoice_body(4511, "1500.00", PDF), multipart_type()))
    assert result == InvoiceResult(id=4511, sum=Decimal("1500.00"), pdf=PDF, filename="account_4511.pdf")


def test_add_account_accepts_the_amount_key_string_ids_and_part_order() -> None:
    body = render_multipart(
        [pdf_part(PDF, "inv.pdf"), json_part('{"id": "77", "amount": 250.5}', "text/plain")], "q"
    )
    result = ADD.decode(_response(body, 'multipart/form-data; boundary="q"'))
    assert (result.id, result.sum, result.pdf, result.filename) == (77, Decimal("250.5"), PDF, "inv.pdf")


def test_add_account_without_amount_reports_the_sum_asked() -> None:
    body = render_multipart([json_part('{"invoice_id": 9}'), pdf_part(PDF, None)], BOUNDARY)
    result = ADD.decode(_response(body, multipart_type()))
    assert (result.id, result.sum, result.filename) == (9, Decimal("1500.00"), None)


def test_add_account_finds_the_boundary_in_the_body_when_the_header_lacks_it() -> None:
    result = ADD.decode(_response(invoice_body(pdf=PDF), "application/octet-stream"))
    assert result.pdf == PDF


def test_add_account_pdf_part_may_be_preceded_by_whitespace() -> None:
    body = render_multipart([json_part('{"id": 1, "sum": "2"}'), pdf_part(b"\r\n " + PDF)], BOUNDARY)
    assert ADD.decode(_response(body, multipart_type())).pdf == PDF


@pytest.mark.parametrize(
    ("part_text", "error"),
    [
        ('{"error": "error creating invoice", "error_code": 5}', OperationFailedError),
        ("ERROR = 6 (sub-login not found)", NotFoundError),
        ("0,-9", RateLimitedError),
    ],
)
def test_add_account_error_part_raises_the_api_error(part_text: str, error: type[SmscError]) -> None:
    body = render_multipart([json_part(part_text, "text/plain"), pdf_part(PDF)], BOUNDARY)
    with pytest.raises(error):
        ADD.decode(_response(body, multipart_type()))


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (PDF, PDF_TYPE, "bare PDF"),
        (render_multipart([json_part('{"id": 1, "sum": "1"}')], BOUNDARY), multipart_type(), "PDF part"),
        (render_multipart([pdf_part(PDF)], BOUNDARY), multipart_type(), "JSON part"),
        (
            render_multipart([json_part('{"id": 1}'), pdf_part(b"<html>no</html>")], BOUNDARY),
            multipart_type(),
            "not a PDF",
        ),
        (
            render_multipart([json_part('{"sum": "1"}'), pdf_part(PDF)], BOUNDARY),
            multipart_type(),
            "no invoice id",
        ),
        (invoice_body(pdf=PDF), multipart_type("wrong"), "multipart"),
        (invoice_body(pdf=PDF)[:300], multipart_type(), "multipart"),
        ('{"id": 4511, "sum": "1500.00"}', JSON_TYPE, "JSON"),
        ("OK", "text/plain", "text"),
        ("<html><body>Bad gateway</body></html>", "text/html", "XML|HTML"),
        ("", None, "empty"),
    ],
)
def test_add_account_malformed_answers_are_decode_errors(
    body: bytes | str, content_type: str | None, reason: str
) -> None:
    with pytest.raises(DecodeError) as info:
        ADD.decode(_response(body, content_type))
    # The reason says what came instead of the multipart answer (any of the "|" words).
    assert any(word in info.value.reason for word in reason.split("|")), info.value.reason
    assert info.value.op == "documents.add_account"


def test_add_account_file_with_error_status_is_a_decode_error() -> None:
    with pytest.raises(DecodeError, match="HTTP 500"):
        ADD.decode(_response(invoice_body(pdf=PDF), multipart_type(), status=500))


# -- get_account / get_act: PDF ----------------------------------------------------------------


@pytest.mark.parametrize("op", [GET_ACCOUNT, GET_ACT])
def test_file_ops_return_the_pdf_and_its_name(op: Any) -> None:
    response = _response(PDF, PDF_TYPE, Content_Disposition='attachment; filename="act_A-118.pdf"')
    assert op.decode(response) == DocumentFile(pdf=PDF, filename="act_A-118.pdf")


def test_file_ops_tolerate_a_bom_and_whitespace_before_the_pdf() -> None:
    result = GET_ACT.decode(_response(b"\xef\xbb\xbf\r\n\t " + PDF, PDF_TYPE))
    assert result == DocumentFile(pdf=PDF)


@pytest.mark.parametrize(
    ("body", "content_type", "error", "code"),
    [
        ('{\n"error": "document not found",\n"error_code": 7\n}', JSON_TYPE, NotFoundError, 7),
        ("ERROR = 6 (sub-login not found)", "text/plain; charset=windows-1251", NotFoundError, 6),
        ("0,-1", "text/plain", ParameterError, 1),
        (
            "<result><error>authorise error</error><error_code>2</error_code></result>",
            "text/xml",
            AuthenticationError,
            2,
        ),
        ('{"error": "blocked", "error_code": 4}', PDF_TYPE, IpBlockedError, 4),
        ('{"error": "x", "error_code": 5}', JSON_TYPE, OperationFailedError, 5),
    ],
)
def test_file_op_errors_come_in_any_envelope(
    body: str, content_type: str, error: type[SmscError], code: int
) -> None:
    with pytest.raises(error) as info:
        GET_ACCOUNT.decode(_response(body, content_type))
    assert info.value.code == code
    assert info.value.op == "documents.get_account"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"id": 4511}', JSON_TYPE),
        ("[]", JSON_TYPE),
        ("OK", "text/plain"),
        ("<result><id>1</id></result>", "text/xml"),
        ("<!DOCTYPE html><html><body>x</body></html>", "text/html"),
        (b"PK\x03\x04zip", PDF_TYPE),
        (invoice_body(pdf=PDF), multipart_type()),
        (b"", PDF_TYPE),
        (b"\x00\xff\xfe", None),
    ],
)
def test_file_op_other_bodies_are_decode_errors(body: bytes | str, content_type: str | None) -> None:
    with pytest.raises(DecodeError):
        GET_ACT.decode(_response(body, content_type))


def test_file_with_error_status_is_a_decode_error_but_an_envelope_still_wins() -> None:
    with pytest.raises(DecodeError, match="HTTP 503"):
        GET_ACT.decode(_response(PDF, PDF_TYPE, status=503))
    with pytest.raises(RateLimitedError):
        GET_ACT.decode(_response('{"error": "slow down", "error_code": 9}', JSON_TYPE, status=429))


def test_stream_decoder_yields_the_one_file() -> None:
    decoder = GET_ACCOUNT.stream_decoder(HttpResponse(200, {"Content-Type": PDF_TYPE}))
    for i in range(0, len(PDF), 100):
        assert decoder.feed(PDF[i : i + 100]) == []
    assert decoder.close() == [DocumentFile(pdf=PDF)]


def test_decode_error_excerpt_is_short_and_carries_no_whole_file() -> None:
    big = minimal_pdf("x" * 5000)
    with pytest.raises(DecodeError) as info:
        ADD.decode(_response(big, PDF_TYPE))
    # 120 characters at most, each escaped to at most 4.
    assert len(info.value.excerpt) <= 480 < len(big)
    assert "x" * 200 not in str(info.value)


# -- whole PDFs only: %PDF- ... %%EOF, then blanks ---------------------------------------------

# A second revision appended to PDF (an incremental update): the file then has two %%EOF.
UPDATE = (
    b"6 0 obj\n<< /Type /Annot /Subtype /Text /Rect [0 0 1 1] >>\nendobj\n"
    b"xref\n6 1\n0000000000 00000 n \ntrailer\n<< /Size 7 /Root 1 0 R /Prev 9 >>\nstartxref\n9\n%%EOF\n"
)
UPDATED = PDF + UPDATE

WHOLE_PDFS = {
    "plain": PDF,
    "crlf-after-eof": PDF[:-1] + b"\r\n",
    "nothing-after-eof": PDF[:-1],
    "blanks-after-eof": PDF + b" \r\n\t\r\n",
    "incremental-update": UPDATED,
    # Cut right after the first revision's %%EOF: an older revision, whole in itself.
    "first-revision-of-an-update": UPDATED[: len(PDF)],
}
CUT_PDFS = {
    "cut-inside-eof": PDF[:-3],
    "cut-in-half": PDF[: len(PDF) // 2],
    "header-only": PDF[:9],
    "junk-after-eof": PDF + b"<html>proxy footer</html>",
    "nul-after-eof": PDF + b"\x00",
    "eof-not-on-its-own-line": PDF[:-6] + b"x %%EOF\n",
    "update-cut-short": UPDATED[:-12],
    "update-cut-after-its-xref": UPDATED[: UPDATED.rindex(b"trailer")],
}


@pytest.mark.parametrize("pdf", list(WHOLE_PDFS.values()), ids=list(WHOLE_PDFS))
def test_whole_pdfs_are_accepted_with_their_trailing_blanks(pdf: bytes) -> None:
    assert is_whole_pdf(pdf)
    for op in (GET_ACCOUNT, GET_ACT):
        assert op.decode(_response(pdf, PDF_TYPE)).pdf == pdf
    assert ADD.decode(_response(invoice_body(pdf=pdf), multipart_type())).pdf == pdf


@pytest.mark.parametrize("pdf", list(CUT_PDFS.values()), ids=list(CUT_PDFS))
@pytest.mark.parametrize("op", [GET_ACCOUNT, GET_ACT])
def test_a_bare_pdf_cut_short_or_followed_by_junk_is_a_decode_error(op: Any, pdf: bytes) -> None:
    assert not is_whole_pdf(pdf)
    with pytest.raises(DecodeError, match="not whole") as info:
        op.decode(_response(pdf, PDF_TYPE))
    assert info.value.op == op.op_id
    # The stream decoder buffers the file and decodes it whole: the same answer.
    decoder = op.stream_decoder(HttpResponse(200, {"Content-Type": PDF_TYPE}))
    decoder.feed(pdf)
    with pytest.raises(DecodeError, match="not whole"):
        decoder.close()


@pytest.mark.parametrize("pdf", list(CUT_PDFS.values()), ids=list(CUT_PDFS))
def test_an_invoice_whose_pdf_part_is_not_whole_is_a_decode_error(pdf: bytes) -> None:
    with pytest.raises(DecodeError, match="not a whole PDF"):
        ADD.decode(_response(invoice_body(pdf=pdf), multipart_type()))


def _with_line(pdf: bytes, at: int, line: bytes) -> bytes:
    """``pdf`` with ``line`` inserted as a line of its own before byte ``at``."""
    return pdf[:at] + b"\r\n" + line + b"\r\n" + pdf[at:]


@pytest.mark.parametrize(
    "pdf",
    [
        # The boundary's delimiter inside the PDF: the part ends there, the rest is no part.
        _with_line(PDF, 300, b"--" + BOUNDARY.encode()),
        # Its closing delimiter: the part ends there, the rest of the PDF lies after the end.
        _with_line(PDF, 300, b"--" + BOUNDARY.encode() + b"--"),
        # Closing delimiter right after the first revision's %%EOF: what is left of the part
        # is a whole (older) PDF; the update lies after the end of the multipart body.
        PDF[:-1] + b"\r\n--" + BOUNDARY.encode() + b"--\r\n" + UPDATE,
        # The delimiter run on by other bytes is no boundary line, and no content either.
        _with_line(PDF, 300, b"--" + BOUNDARY.encode() + b"-x"),
    ],
    ids=["delimiter", "closing-delimiter", "closing-after-first-eof", "delimiter-run-on"],
)
def test_a_boundary_line_inside_the_pdf_part_is_a_decode_error_not_a_shorter_pdf(pdf: bytes) -> None:
    # Before: parts were taken as cut, and the invoice came out with the PDF cut short.
    with pytest.raises(DecodeError):
        ADD.decode(_response(invoice_body(pdf=pdf), multipart_type()))


def test_boundary_like_lines_that_are_not_the_delimiter_stay_in_the_pdf() -> None:
    pdf = _with_line(_with_line(PDF, 300, b"--" + BOUNDARY[:-3].encode()), 200, b"--other-boundary--")
    assert is_whole_pdf(pdf)
    assert ADD.decode(_response(invoice_body(pdf=pdf), multipart_type())).pdf == pdf


def test_an_answer_over_the_multipart_cap_is_refused_before_any_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_scan(*args: object) -> None:
        raise AssertionError("the body was scanned")

    import smsc_proto.ops.documents as documents

    monkeypatch.setattr(documents, "boundary_from_body", no_scan)
    monkeypatch.setattr(documents, "pdf_start", no_scan)
    body = b"\r\n" * (MAX_MULTIPART_BYTES // 2 + 1)
    with pytest.raises(DecodeError, match=f"larger than {MAX_MULTIPART_BYTES} bytes"):
        ADD.decode(_response(body, "application/octet-stream"))


def test_is_whole_pdf_reads_trailing_blanks_without_copying_the_file() -> None:
    import tracemalloc

    pdf = PDF + b"\r\n" * (4 << 20)
    blanks = b"%PDF-" + b" " * (8 << 20)
    tracemalloc.start()
    try:
        assert is_whole_pdf(pdf)
        assert not is_whole_pdf(blanks)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20


# -- file ops: no record shape; render writes the file, decode reads it back --------------------


@pytest.mark.parametrize("op", [ADD, GET_ACCOUNT, GET_ACT])
def test_documents_ops_are_file_ops_without_a_record_shape(op: Any) -> None:
    assert isinstance(op, FileOp)
    with pytest.raises(TypeError, match=op.op_id):
        op.result_shape()


@pytest.mark.parametrize("op", [GET_ACCOUNT, GET_ACT])
@pytest.mark.parametrize("filename", [None, "act_A-118.pdf", "Invoice 12 (copy).pdf", "a;b=c.pdf"])
def test_document_file_render_then_decode(op: Any, filename: str | None) -> None:
    result = DocumentFile(pdf=PDF, filename=filename)
    response = op.render(result)
    assert isinstance(response, HttpResponse)
    assert (response.status, response.header("Content-Type"), response.body) == (200, PDF_TYPE, PDF)
    assert (response.header("Content-Disposition") is None) == (filename is None)
    assert op.decode(response) == result
    # The file is the same whatever fmt is asked: fmt only chooses the form of an error.
    assert all(op.render(result, fmt) == response for fmt in (0, 1, 2, 3))


@pytest.mark.parametrize("op", [GET_ACCOUNT, GET_ACT])
@pytest.mark.parametrize("filename", ['q"uote.pdf', "Счёт №12.pdf", "é.pdf"])
def test_document_file_names_that_need_escaping_round_trip(op: Any, filename: str) -> None:
    # Each of these names is one the decoder hands out (see test_filename_from_disposition):
    # render must write it so that decode reads the same name back (RFC 6266 quoting, or
    # filename* for a non-ASCII name).
    result = DocumentFile(pdf=PDF, filename=filename)
    assert op.decode(op.render(result)) == result


@pytest.mark.parametrize(
    "result",
    [
        INVOICE,
        InvoiceResult(id=4511, sum=Decimal("1500.00"), pdf=PDF),
        InvoiceResult(id="A-77", sum=Decimal("0.01"), pdf=minimal_pdf("x"), filename="inv.pdf"),
        InvoiceResult(id=1, sum=Decimal("1E+3"), pdf=PDF, filename="account 1.pdf"),
    ],
)
def test_invoice_render_then_decode(result: InvoiceResult) -> None:
    response = ADD.render(result)
    assert response.status == 200
    content_type = response.header("Content-Type") or ""
    assert content_type.startswith("multipart/mixed;")
    boundary = boundary_of(content_type)
    assert boundary is not None
    head, pdf = parse_multipart(response.body, boundary)
    assert head.content_type == "application/json" and pdf.content_type == PDF_TYPE
    assert pdf.content == result.pdf and pdf.filename == result.filename
    assert ADD.decode(response) == result
    assert all(ADD.render(result, fmt) == response for fmt in (0, 1, 2, 3))


@pytest.mark.parametrize("filename", ['q"uote.pdf', "Счёт №12.pdf", "é.pdf"])
def test_invoice_file_names_that_need_escaping_round_trip(filename: str) -> None:
    result = InvoiceResult(id=4511, sum=Decimal("1500.00"), pdf=PDF, filename=filename)
    assert ADD.decode(ADD.render(result)) == result


_invoice_ids = st.one_of(
    st.integers(min_value=1, max_value=2**63), st.from_regex(r"[A-Z]{1,3}-[0-9]{1,6}", fullmatch=True)
)
_sums = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10**9), places=2)
_ascii_names = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_ ().,;=-]{0,30}\.pdf", fullmatch=True)


@settings(max_examples=100, deadline=None)
@given(
    invoice_id=_invoice_ids,
    amount=_sums,
    text=st.text(alphabet="abc XYZ019()\\-", max_size=40),
    filename=st.none() | _ascii_names,
)
def test_invoice_round_trip_property(
    invoice_id: int | str, amount: Decimal, text: str, filename: str | None
) -> None:
    result = InvoiceResult(id=invoice_id, sum=amount, pdf=minimal_pdf(text), filename=filename)
    assert ADD.decode(ADD.render(result)) == result


@pytest.mark.parametrize("op", [ADD, GET_ACCOUNT, GET_ACT])
@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_rendered_error_of_a_file_op_decodes_to_the_error(op: Any, fmt: int) -> None:
    response = op.render_error(7, "document not found", fmt)
    with pytest.raises(NotFoundError) as info:
        op.decode(response)
    assert (info.value.code, info.value.op) == (7, op.op_id)
    if fmt != 1:  # fmt=1 carries the code only
        assert info.value.description == "document not found"


@pytest.mark.parametrize("fmt", [0, 2, 3])
@pytest.mark.parametrize(
    ("code", "error"),
    [(5, OperationFailedError), (6, NotFoundError), (2, AuthenticationError), (9, RateLimitedError)],
)
@pytest.mark.parametrize("part_type", ["own", "json", "none"])
def test_add_account_error_envelope_in_the_json_part_in_each_fmt(
    fmt: Fmt, code: int, error: type[SmscError], part_type: str
) -> None:
    # The first part is where the invoice's JSON head goes; an error comes in the fmt asked
    # for, whatever the part's Content-Type says (or with none).
    op = DocumentsAddAccount(user="client1", sum=Decimal("1500.00"), fmt=fmt)
    envelope = op.render_error(code, "ошибка создания счёта", fmt)
    content_type = {"own": envelope.header("Content-Type"), "json": JSON_TYPE, "none": None}[part_type]
    head = Part((("Content-Type", content_type),) if content_type else (), envelope.body)
    body = render_multipart([head, pdf_part(PDF)], BOUNDARY)
    with pytest.raises(error) as info:
        op.decode(_response(body, multipart_type()))
    assert (info.value.code, info.value.op) == (code, "documents.add_account")
    assert info.value.description == "ошибка создания счёта"


# -- pdf helpers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ('attachment; filename="a b.pdf"', "a b.pdf"),
        ("attachment; filename=plain.pdf", "plain.pdf"),
        ("attachment; filename*=UTF-8''%D0%A1%D1%87%D0%B5%D1%82.pdf", "Счет.pdf"),
        ("attachment; filename=\"x.pdf\"; filename*=utf-8''%D0%90%D0%BA%D1%82.pdf", "Акт.pdf"),
        ('attachment; filename="Счет.pdf"'.encode().decode("latin-1"), "Счет.pdf"),  # raw UTF-8
        ('attachment; filename="Акт.pdf"'.encode("cp1251").decode("latin-1"), "Акт.pdf"),  # raw 1251
        ('attachment; filename="../../etc/passwd"', "passwd"),
        ('attachment; filename="C:\\\\tmp\\\\x.pdf"', "x.pdf"),
        ('attachment; filename="q\\"uote.pdf"', 'q"uote.pdf'),
        ('attachment; filename=".."', None),
        ("attachment; filename*=bogus-charset''abc", None),
        ("attachment; filename*=noquotes", None),
        ("attachment", None),
        ("inline; name=x", None),
        ("", None),
        (None, None),
    ],
)
def test_filename_from_disposition(value: str | None, name: str | None) -> None:
    assert filename_from_disposition(value) == name


@settings(max_examples=300, deadline=None)
@given(
    value=st.one_of(
        st.text(max_size=80),
        st.builds(
            lambda cs, enc: f"attachment; filename*={cs}''{enc}",
            st.sampled_from(["utf-8", "idna", "rot13", "utf-16", "cp1251", "x-bogus", ""]),
            st.text(alphabet="%0123456789ABCDEFabc.\u0439", max_size=20),
        ),
    )
)
def test_filename_from_disposition_never_raises(value: str) -> None:
    name = filename_from_disposition(value)
    assert name is None or (name and "/" not in name and "\\" not in name and name.isprintable())


def test_pdf_magic() -> None:
    assert pdf_start(PDF) == 0
    assert pdf_start(b"\xef\xbb\xbf \n" + PDF) == 5
    assert looks_like_pdf(b"\n%PDF-1.7")
    assert not looks_like_pdf(b"x%PDF-1.7")
    assert not looks_like_pdf(b"%PDF")
    assert not looks_like_pdf(b"")


def test_is_whole_pdf() -> None:
    assert is_whole_pdf(PDF) and is_whole_pdf(b"\r\n" + PDF, 2)
    assert not is_whole_pdf(b"\r\n" + PDF)  # ``start`` is where %PDF- is
    assert is_whole_pdf(b"%PDF-1.7\n%%EOF")
    assert not is_whole_pdf(b"%PDF-%%EOF")  # the marker is not the header's own bytes
    assert not is_whole_pdf(b"%%EOF\n%%EOF")
    assert not is_whole_pdf(b"")


def test_pdf_start_skips_megabytes_of_blanks_at_c_speed() -> None:
    import time

    body = b"\r\n" * (8 << 20) + PDF
    began = time.perf_counter()
    assert pdf_start(body) == 16 << 20
    assert pdf_start(b" " * (16 << 20)) is None
    assert time.perf_counter() - began < 0.5


def test_importing_the_codec_does_not_load_the_multipart_package() -> None:
    code = "import smsc_proto, sys; print('multipart' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- nothing but typed errors, whatever the body -----------------------------------------------

_parts = st.lists(
    st.builds(
        Part,
        st.sampled_from(
            [
                (),
                (("Content-Type", "application/json"),),
                (
                    ("Content-Type", "application/pdf"),
                    ("Content-Disposition", 'attachment; filename="f.pdf"'),
                ),
                (("Content-Type", "text/plain"),),
            ]
        ),
        st.one_of(
            st.binary(max_size=80),
            st.just(PDF),
            st.sampled_from(
                [b'{"id": 1, "sum": "2"}', b'{"error": "e", "error_code": 7}', b"0,-4", b'{"id": null}']
            ),
        ),
    ),
    max_size=3,
)
_bodies = st.one_of(
    st.binary(max_size=300),
    st.just(PDF),
    _parts.map(lambda parts: render_multipart(parts, BOUNDARY)),
    st.sampled_from([b'{"error": "x", "error_code": 5}', b"ERROR = 7 (x)", b"<result/>", b"[1, {}]"]),
)
_content_types = st.sampled_from(
    [None, PDF_TYPE, JSON_TYPE, "text/html", multipart_type(), "multipart/mixed"]
)


@settings(max_examples=200, deadline=None)
@given(
    op=st.sampled_from([ADD, GET_ACCOUNT, GET_ACT]),
    body=_bodies,
    content_type=_content_types,
    status=st.sampled_from([200, 200, 404, 500]),
)
def test_any_body_gives_a_result_or_a_typed_error(
    op: Any, body: bytes, content_type: str | None, status: int
) -> None:
    try:
        result = op.decode(_response(body, content_type, status))
    except (SmscError, DecodeError):
        return
    except SmscProtoError as exc:  # pragma: no cover - would be a bug
        pytest.fail(f"unexpected {type(exc).__name__}: {exc}")
    assert isinstance(result, (InvoiceResult, DocumentFile))
    assert result.pdf.startswith(b"%PDF-")
    assert is_whole_pdf(result.pdf)
