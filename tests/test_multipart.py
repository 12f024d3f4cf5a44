"""smsc_proto.formats.multipart: boundaries, parts, malformed bodies."""

from __future__ import annotations

import contextlib
import tracemalloc
from collections.abc import Callable

import pytest
from hypothesis import given, settings, strategies as st

from smsc_proto.formats.multipart import (
    MultipartFormatError,
    Part,
    boundary_from_body,
    boundary_of,
    parse_multipart,
    render_multipart,
)

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\r\n--not-the-boundary\r\n%%EOF\n"


def _body(boundary: str = "XyZ") -> bytes:
    return render_multipart(
        [
            Part((("Content-Type", "application/json"),), b'{"id": 1}'),
            Part(
                (
                    ("Content-Type", "application/pdf"),
                    ("Content-Disposition", 'attachment; filename="a.pdf"'),
                ),
                PDF,
            ),
        ],
        boundary,
    )


@pytest.mark.parametrize(
    ("content_type", "boundary"),
    [
        ("multipart/mixed; boundary=XyZ", "XyZ"),
        ('multipart/form-data; boundary="a b=c"', "a b=c"),
        ("Multipart/Mixed;charset=utf-8;BOUNDARY=--==x", "--==x"),
        ('multipart/mixed; note="a;boundary=fake"; boundary=real', "real"),
        ("application/json; boundary=XyZ", None),
        ("multipart/mixed", None),
        ("multipart/mixed; boundary=", None),
        ("multipart/mixed; boundary=" + "x" * 71, None),
        ("multipart/mixed; boundary=bad\u00e9", None),
        (None, None),
        ("", None),
    ],
)
def test_boundary_of(content_type: str | None, boundary: str | None) -> None:
    assert boundary_of(content_type) == boundary


def test_parts_keep_bytes_headers_type_and_name() -> None:
    parts = parse_multipart(_body(), "XyZ")
    assert [p.content_type for p in parts] == ["application/json", "application/pdf"]
    assert parts[0].content == b'{"id": 1}'
    # CRLF and a boundary-like line inside the PDF are content, byte for byte.
    assert parts[1].content == PDF
    assert parts[1].filename == "a.pdf"
    assert parts[0].filename is None
    assert parts[1].header("content-disposition") == 'attachment; filename="a.pdf"'


def test_parts_without_any_header_or_disposition_are_accepted() -> None:
    body = render_multipart([Part((), b"{}"), Part((("Content-Type", "text/plain"),), b"x")], "b")
    parts = parse_multipart(body, "b")
    assert [p.content for p in parts] == [b"{}", b"x"]
    assert parts[0].content_type is None


def test_preamble_and_epilogue_are_ignored() -> None:
    body = b"This is a preamble.\r\n" + _body() + b"epilogue"
    assert len(parse_multipart(body, "XyZ")) == 2


@pytest.mark.parametrize(
    ("body", "boundary"),
    [
        (_body(), "other"),  # the header names another boundary
        (_body()[:-40], "XyZ"),  # truncated: no closing delimiter
        (_body().replace(b"\r\n", b"\n"), "XyZ"),  # bare LF line ends
        (b"", "XyZ"),
        (b"--XyZ--\r\n", "XyZ"),  # no parts at all
        (b"garbage without any delimiter", "XyZ"),
        (b"--XyZ\r\nno header end", "XyZ"),
    ],
)
def test_malformed_bodies_raise_format_error(body: bytes, boundary: str) -> None:
    with pytest.raises(MultipartFormatError):
        parse_multipart(body, boundary)


def test_too_many_parts_is_refused() -> None:
    body = render_multipart([Part((), b"x")] * 40, "b")
    with pytest.raises(MultipartFormatError):
        parse_multipart(body, "b")


def test_boundary_from_body_needs_an_opening_and_a_closing_delimiter() -> None:
    assert boundary_from_body(_body("abc123")) == "abc123"
    assert boundary_from_body(b"\r\n" + _body("abc123")) == "abc123"
    assert boundary_from_body(_body("abc123")[:-20]) is None
    assert boundary_from_body(b'{"id": 1}') is None
    assert boundary_from_body(b"--\xff\xfe\r\nx") is None


_bchars = st.text(alphabet="0123456789ABCDEFabcdef'()+_,-./:=?", min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(boundary=_bchars, contents=st.lists(st.binary(max_size=300), min_size=1, max_size=4))
def test_render_then_parse_round_trips(boundary: str, contents: list[bytes]) -> None:
    delimiter = b"\r\n--" + boundary.encode()
    # A body whose content contains its own delimiter is not encodable with that boundary.
    if any(delimiter in b"\r\n" + c + b"\r\n" for c in contents):
        return
    parts = [Part((("Content-Type", "application/octet-stream"),), c) for c in contents]
    parsed = parse_multipart(render_multipart(parts, boundary), boundary)
    assert [p.content for p in parsed] == contents


@settings(max_examples=150, deadline=None)
@given(body=st.binary(max_size=400), boundary=_bchars)
def test_arbitrary_bytes_raise_only_format_error(body: bytes, boundary: str) -> None:
    with contextlib.suppress(MultipartFormatError):
        parse_multipart(body, boundary)


# -- the end of the body: a blank epilogue where the answer is one file ------------------------


def test_blank_epilogue_refuses_data_after_the_closing_delimiter() -> None:
    body = _body()
    assert len(parse_multipart(body + b"\r\n \t\r\n", "XyZ", blank_epilogue=True)) == 2
    assert len(parse_multipart(body + b"epilogue", "XyZ")) == 2  # RFC 2046: ignored by default
    with pytest.raises(MultipartFormatError, match="after the closing boundary"):
        parse_multipart(body + b"epilogue", "XyZ", blank_epilogue=True)


def test_a_closing_delimiter_inside_a_part_leaves_the_rest_after_the_end() -> None:
    # The part is cut at the line; what followed it lies after the end of the body.
    inner = PDF[:20] + b"\r\n--XyZ--\r\n" + PDF[20:]
    body = render_multipart([Part((), b"{}"), Part((("Content-Type", "application/pdf"),), inner)], "XyZ")
    head, cut = parse_multipart(body, "XyZ")
    assert (head.content, cut.content) == (b"{}", PDF[:20])
    with pytest.raises(MultipartFormatError, match="after the closing boundary"):
        parse_multipart(body, "XyZ", blank_epilogue=True)


# -- size cap and copies -----------------------------------------------------------------------


def test_a_body_over_the_cap_is_refused_before_any_work(monkeypatch: pytest.MonkeyPatch) -> None:
    import smsc_proto.formats.multipart as module

    def no_work(*args: object) -> None:
        raise AssertionError("the body was parsed")

    monkeypatch.setattr(module, "_parser_class", no_work)
    monkeypatch.setattr(module, "_check_epilogue", no_work)
    body = b"-" * (module.MAX_MULTIPART_BYTES + 1)
    with pytest.raises(MultipartFormatError, match="larger than"):
        parse_multipart(body, "XyZ", blank_epilogue=True)


def _peak(work: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_parsing_copies_each_part_once_and_nothing_else() -> None:
    size = 16 << 20
    big = PDF[:-6] + b"x" * size + PDF[-6:]
    body = render_multipart([Part((), b"{}"), Part((("Content-Type", "application/pdf"),), big)], "XyZ")
    parts: list[Part] = []
    peak = _peak(lambda: parts.extend(parse_multipart(body, "XyZ", blank_epilogue=True)))
    assert parts[1].content == big
    # One copy of the big part (its content), no copy of the body or of the chunks joined.
    assert size < peak < size + (1 << 20)


def test_finding_the_boundary_in_the_body_copies_nothing() -> None:
    body = b"\r\n" + _body("abc123") + b" " * (16 << 20)
    peak = _peak(lambda: boundary_from_body(body))
    assert boundary_from_body(body) == "abc123"
    assert peak < 1 << 20
