"""The incremental CSV file decoder: sniffing, charsets, chunking, bounds, malformed files."""

from __future__ import annotations

import codecs
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

import smsc_proto
from smsc_proto import DecodeError, DownloadsGetFile, HttpResponse, NotFoundError, SmscError
from smsc_proto.errors import AuthenticationError, IpBlockedError, RateLimitedError
from smsc_proto.formats.csvfile import CsvFileDecoder, CsvRow, render_csv, sniff_delimiter

OP = DownloadsGetFile(id=41)
CSV = {"Content-Type": "text/csv; charset=utf-8"}


def decoder(headers: dict[str, str] | None = None, status: int = 200, **kw: int) -> CsvFileDecoder:
    return CsvFileDecoder(OP, HttpResponse(status, CSV if headers is None else headers), **kw)


def decode(
    body: bytes, headers: dict[str, str] | None = None, status: int = 200, step: int = 0
) -> list[CsvRow]:
    dec = decoder(headers, status)
    rows: list[CsvRow] = []
    if step:
        for start in range(0, len(body), step):
            rows += dec.feed(body[start : start + step])
    else:
        rows += dec.feed(body)
    return rows + dec.close()


# -- delimiter and header ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("id;phone;message", ";"),
        ("id,phone,message", ","),
        ("id\tphone\tmessage", "\t"),
        ('id;"a,b,c";x', ";"),
        ("a,b;c", ";"),  # a tie goes to ';'
        ("a,b,c;d", ","),
        ("single", None),
    ],
)
def test_sniff_delimiter(header: str, expected: str | None) -> None:
    assert sniff_delimiter(header) == expected


def test_header_names_are_cleaned() -> None:
    body = b" id ;;id;phone;\r\n1;x;2;7999;\r\n"
    dec = decoder()
    rows = dec.feed(body) + dec.close()
    assert dec.columns == ["id", "column2", "id_2", "phone"]
    assert dec.delimiter == ";"
    assert rows == [{"id": "1", "column2": "x", "id_2": "2", "phone": "7999"}]


def test_short_and_long_rows_and_blank_lines() -> None:
    body = b"a,b,c\n1\n\n2,3,4,5,\n,,\n6,7,8\n"
    assert decode(body) == [
        {"a": "1", "b": "", "c": ""},
        {"a": "2", "b": "3", "c": "4", "column4": "5"},
        {"a": "6", "b": "7", "c": "8"},
    ]


def test_leading_blank_lines_before_the_header() -> None:
    assert decode(b"\r\n\r\nid;x\r\n1;2\r\n") == [{"id": "1", "x": "2"}]


def test_quoted_fields_with_separators_quotes_and_line_breaks() -> None:
    body = b'id;text\r\n1;"a;b ""c""\r\nd"\r\n2;"\r\n\r\n"\r\n'
    expected = [{"id": "1", "text": 'a;b "c"\r\nd'}, {"id": "2", "text": "\r\n\r\n"}]
    assert decode(body) == expected
    assert decode(body, step=1) == expected


def test_csv_row_is_the_public_row_type() -> None:
    assert smsc_proto.CsvRow is CsvRow
    assert decode(b"id;phone\r\n1;2\r\n") == [CsvRow(id="1", phone="2")]


def test_header_only_is_an_empty_list() -> None:
    assert decode(b"id;phone\r\n") == []
    assert decode(b"id;phone") == []


# -- charsets ------------------------------------------------------------------------------

RU = [{"phone": "79991234567", "message": "Привет, мир"}]


@pytest.mark.parametrize("step", [0, 1, 3])
def test_utf8_split_inside_a_character(step: int) -> None:
    assert decode(render_csv(RU).encode("utf-8"), step=step) == RU


@pytest.mark.parametrize("step", [0, 1, 5])
def test_windows_1251_without_a_charset_falls_back(step: int) -> None:
    assert decode(render_csv(RU).encode("cp1251"), {"Content-Type": "text/csv"}, step=step) == RU


def test_windows_1251_after_many_ascii_rows_falls_back_mid_stream() -> None:
    rows = [{"phone": str(i), "message": "ascii"} for i in range(5000)] + RU
    assert decode(render_csv(rows).encode("cp1251"), {}, step=4096) == rows


def test_charset_named_by_content_type() -> None:
    body = render_csv(RU).encode("koi8-r")
    assert decode(body, {"Content-Type": "text/csv; charset=koi8-r"}) == RU


def test_utf8_bom_wins_over_a_wrong_charset() -> None:
    body = codecs.BOM_UTF8 + render_csv(RU).encode("utf-8")
    assert decode(body, {"Content-Type": "text/csv; charset=windows-1251"}, step=1) == RU


def test_utf16_with_bom() -> None:
    assert decode(render_csv(RU).encode("utf-16"), {"Content-Type": "text/csv"}, step=7) == RU


# -- error envelopes and foreign bodies ----------------------------------------------------


@pytest.mark.parametrize(
    ("body", "error", "code"),
    [
        (b"ERROR = 5 (task not found)", NotFoundError, 5),
        (b"ERROR = 2 (authorise error)\n", AuthenticationError, 2),
        (b"0,-5", NotFoundError, 5),
        (b"\r\n0,-9\r\n", RateLimitedError, 9),
        (b"<result>\n<error>x</error>\n<error_code>4</error_code>\n</result>", IpBlockedError, 4),
        (
            b'<?xml version="1.0"?>\n<result><error>x</error><error_code>5</error_code></result>',
            NotFoundError,
            5,
        ),
        (b'{\n"error": "task not found",\n"error_code": 5\n}', NotFoundError, 5),
        (codecs.BOM_UTF8 + b'{"error": "x", "error_code": 5}', NotFoundError, 5),
    ],
)
@pytest.mark.parametrize("step", [0, 1])
def test_error_envelopes(body: bytes, error: type[SmscError], code: int, step: int) -> None:
    with pytest.raises(error) as info:
        decode(body, {"Content-Type": "text/plain"}, step=step)
    assert info.value.code == code
    assert info.value.op == "downloads.get_file"


def test_error_envelope_with_a_non_2xx_status() -> None:
    with pytest.raises(RateLimitedError):
        decode(b'{"error": "x", "error_code": 9}', status=429)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
        (b"<!DOCTYPE html>\n<html><body>login</body></html>\n", "HTML"),
        (b"<html><body>a;b;c</body></html>", "HTML"),
        (b"<data><row>1</row></data>", "XML"),
        (b'[\n{"id": 1}\n]', "JSON"),
        (b'{"result": "OK"}', "JSON"),
        (b"PK\x03\x04\x14\x00\x06\x00;\n", "archive"),
        (b"\x00\x01\x02;\x03\n", "binary"),
        (b"Service unavailable\n", "no ';'"),
        (b"", "empty"),
        (b"\r\n\r\n", "empty"),
    ],
)
def test_foreign_bodies_are_decode_errors(body: bytes, reason: str) -> None:
    with pytest.raises(DecodeError, match=reason):
        decode(body, {"Content-Type": "application/octet-stream"})


def test_deeply_nested_json_is_a_decode_error() -> None:
    with pytest.raises(DecodeError, match="JSON"):
        decode(b'{"a":' * 5000 + b"1" + b"}" * 5000)


def test_one_column_file_round_trip() -> None:
    rows = [{"phone": "79991234567"}, {"phone": "79997654321"}]
    assert decode(render_csv(rows).encode()) == rows


def test_non_2xx_without_an_envelope() -> None:
    with pytest.raises(DecodeError, match="HTTP 502"):
        decode(b"id;phone\r\n1;2\r\n", status=502)


def test_an_early_foreign_body_is_refused_at_feed() -> None:
    dec = decoder()
    with pytest.raises(DecodeError, match="PDF"):
        dec.feed(b"%PDF-1.7\n" + b"\x00" * 1000)


def test_a_large_non_csv_body_is_refused_without_reading_it_all() -> None:
    dec = decoder()
    with pytest.raises(DecodeError):
        for _ in range(100):
            dec.feed(b"<html>" + b"x" * 10_000)


# -- truncation and bounds -----------------------------------------------------------------


def test_truncated_inside_a_quoted_field_fails_at_close() -> None:
    dec = decoder()
    rows = dec.feed(b'id;text\r\n1;ok\r\n2;"cut here\r\nand')
    assert rows == [{"id": "1", "text": "ok"}]
    with pytest.raises(DecodeError, match="cut short: the record from line 3"):
        dec.close()


def test_a_line_longer_than_the_bound() -> None:
    dec = decoder(max_line=1000)
    dec.feed(b"id;text\r\n")
    with pytest.raises(DecodeError, match="longer than 1000"):
        for _ in range(20):
            dec.feed(b"x" * 100)


def test_an_unclosed_quote_is_bounded_too() -> None:
    dec = decoder(max_line=1000)
    dec.feed(b'id;text\r\n1;"open\r\n')
    with pytest.raises(DecodeError, match="record longer than 1000"):
        for _ in range(200):
            dec.feed(b"more text\r\n")


def test_feed_after_close() -> None:
    dec = decoder()
    dec.feed(b"a;b\n")
    dec.close()
    assert dec.close() == []
    with pytest.raises(DecodeError):
        dec.feed(b"1;2\n")


def test_memory_stays_flat_while_streaming() -> None:
    # 4 MB of rows through the decoder: the decoder itself holds one partial line only.
    line = b'123456;79991234567;"a message; with a separator"\r\n'

    def body() -> Iterator[bytes]:
        yield b"id;phone;message\r\n"
        chunk = line * 1000
        for _ in range(4_000_000 // len(chunk)):
            yield chunk

    dec = decoder()
    tracemalloc.start()
    try:
        count = 0
        for chunk in body():
            count += len(dec.feed(chunk))
        count += len(dec.close())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 4_000_000 // len(line * 1000) * 1000
    assert peak < 2_000_000, peak  # one chunk's rows at a time, never the 4 MB file


# -- properties ----------------------------------------------------------------------------

_cell = st.text(alphabet=st.sampled_from(list('ab ;,\t"\r\nюя€1')), max_size=12)


@settings(max_examples=60, deadline=None)
@given(
    names=st.lists(st.text(alphabet="abcxyz_", min_size=1, max_size=6), min_size=2, max_size=5, unique=True),
    data=st.data(),
    delimiter=st.sampled_from([";", ",", "\t"]),
    charset=st.sampled_from(["utf-8", "windows-1251"]),
    cuts=st.lists(st.integers(min_value=0, max_value=5000), max_size=8),
)
def test_any_chunking_gives_the_rows_back(
    names: list[str], data: st.DataObject, delimiter: str, charset: str, cuts: list[int]
) -> None:
    rows = data.draw(st.lists(st.fixed_dictionaries({n: _cell for n in names}), max_size=6))
    rows = [r for r in rows if any(r.values())]  # blank rows are skipped by design
    body = render_csv(rows or [dict.fromkeys(names, "")], delimiter).encode(charset, "replace")
    if not rows:
        body = body.split(b"\r\n", 1)[0] + b"\r\n"
    header = {"Content-Type": f"text/csv; charset={charset}"}
    dec = decoder(header)
    out: list[CsvRow] = []
    previous = 0
    for cut in sorted(c % (len(body) + 1) for c in cuts):
        out += dec.feed(body[previous:cut])
        previous = cut
    out += dec.feed(body[previous:]) + dec.close()
    expected = [{k: v.encode(charset, "replace").decode(charset) for k, v in r.items()} for r in rows]
    assert out == expected


@settings(max_examples=150, deadline=None)
@given(
    body=st.binary(max_size=400),
    step=st.integers(min_value=1, max_value=50),
    ct=st.sampled_from(["", "text/csv"]),
)
def test_arbitrary_bytes_give_rows_or_a_typed_error(body: bytes, step: int, ct: str) -> None:
    try:
        rows = decode(body, {"Content-Type": ct} if ct else {}, step=step)
    except (DecodeError, SmscError):
        return
    assert all(isinstance(r, dict) for r in rows)


_csv_char = st.sampled_from(list('a;,\t" \r'))


@settings(max_examples=400, deadline=None)
@given(line=st.text(alphabet=_csv_char, max_size=14), delimiter=st.sampled_from([";", ",", "\t"]))
def test_open_quote_scanner_agrees_with_the_csv_module(line: str, delimiter: str) -> None:
    """The decoder skips re-parsing a record while its quoted field stays open: it must
    say "still open" exactly when csv.reader, entering the line inside a quoted field, runs
    out of lines mid-record."""
    import csv
    import re

    from smsc_proto.formats.csvfile import _ends_quoted

    class RanDry(Exception):
        pass

    def lines() -> Iterator[str]:
        yield '"' + line + "\n"
        raise RanDry

    reader = csv.reader(lines(), delimiter=delimiter, strict=False)
    try:
        next(reader)
        still_open = False
    except csv.Error:
        still_open = False  # a malformed record ends the record too (as an error)
    except RanDry:
        still_open = True  # the reader asked for another line to finish the record
    fields = re.compile(f"[{re.escape(delimiter)}\r\n]")
    assert _ends_quoted(line + "\n", delimiter, fields) is still_open


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(st.text(alphabet=_csv_char, max_size=8), max_size=12))
def test_line_by_line_feeding_matches_the_whole_body(lines: list[str]) -> None:
    body = ("id;text\n" + "\n".join(lines)).encode()

    def outcome(step: int) -> list[CsvRow] | str:
        try:
            return decode(body, step=step)
        except DecodeError as exc:
            return exc.reason

    assert outcome(1) == outcome(0)


@pytest.mark.parametrize(("piece", "text"), [(b"a\n", "a\n"), (b'x""\n', 'x"\n')])
def test_a_quoted_field_open_for_many_lines_is_parsed_once(
    piece: bytes, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each line of an open quoted field is scanned once, not the whole record again with
    every line: the lines csv.reader is given stay linear in the lines fed."""
    import csv

    given_lines = 0
    real_reader = csv.reader

    def counting_reader(lines: Iterator[str], **kw: Any) -> Iterator[list[str]]:
        def counted() -> Iterator[str]:
            nonlocal given_lines
            for line in lines:
                given_lines += 1
                yield line

        return real_reader(counted(), **kw)  # type: ignore[arg-type,call-overload,no-any-return,unused-ignore]

    dec = decoder()
    dec.feed(b'a;b\n1;"')
    monkeypatch.setattr(csv, "reader", counting_reader)
    for _ in range(2000):
        dec.feed(piece)
    assert given_lines < 3 * 2000
    monkeypatch.undo()
    assert dec.feed(b'"\n') + dec.close() == [{"a": "1", "b": text * 2000}]
