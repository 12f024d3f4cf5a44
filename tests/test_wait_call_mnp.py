"""wait_call and get_mnp: requests, validation, every shape of the wait_call answer, its
errors, and the MNP base streamed through both clients against a loopback server."""

from __future__ import annotations

import contextlib
import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from downloads_support import STREAMERS, LoopbackServer, Reply

from smsc_proto import (
    OPS,
    AuthenticationError,
    Credentials,
    CsvRow,
    DecodeError,
    DownloadsGetFile,
    FileOp,
    GetMnp,
    HttpResponse,
    InsufficientFundsError,
    InvalidParameter,
    IpBlockedError,
    ParameterError,
    RateLimitedError,
    SmscError,
    WaitCall,
    WaitCallNumber,
)
from smsc_proto.file_op import CsvFileOp
from smsc_proto.formats.csvfile import render_csv

PHONE = "79991234567"
CALL = "74950000001"
TEXT = "text/plain; charset=utf-8"
CSV = {"Content-Type": "text/csv; charset=utf-8"}


def decode(op: Any, body: str | bytes, content_type: str = TEXT) -> Any:
    raw = body.encode("utf-8") if isinstance(body, str) else body
    return op.decode(HttpResponse(200, {"Content-Type": content_type}, raw))


# -- requests and validation ------------------------------------------------------------


def test_requests() -> None:
    request = WaitCall(phone=PHONE, fmt=0).request(Credentials(login="acme", psw="x"))
    assert (request.method, request.path) == ("POST", "/sys/wait_call.php")
    assert WaitCall(phone=PHONE).params() == [("phone", PHONE), ("fmt", "3"), ("charset", "utf-8")]
    assert WaitCall(phone="+" + PHONE).params()[0] == ("phone", "+" + PHONE)
    assert GetMnp().request(Credentials(apikey="k")).path == "/sys/get_mnp.php"
    assert GetMnp(fmt=0).params() == [("fmt", "0"), ("charset", "utf-8")]


def test_the_dated_form_of_get_mnp_is_sent_through_extra() -> None:
    op = GetMnp.from_params({"date": "17.06.2018"})
    assert op == GetMnp(extra={"date": "17.06.2018"})
    assert ("date", "17.06.2018") in op.params()
    # Its answer is not the file: read as one, JSON is a DecodeError (module doc).
    with pytest.raises(DecodeError, match="not a CSV file"):
        decode(op, '[{"phone": "79161234567", "mcc": "250", "mnc": "01"}]', "application/json")


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: WaitCall(phone=""), "phone"),
        (lambda: WaitCall(phone="+7 999 123-45-67"), "phone"),
        (lambda: WaitCall(phone="7999,7888"), "phone"),
        (lambda: WaitCall(phone="G12"), "phone"),
        (lambda: WaitCall(phone=None), "phone"),  # type: ignore[arg-type]
        (lambda: WaitCall.from_params({}), "phone"),
        (lambda: WaitCall(phone=PHONE, extra={"phone": PHONE}), "extra"),
        (lambda: GetMnp(extra={"psw": "x"}), "extra"),
    ],
)
def test_bad_input_names_the_field(build: Callable[[], Any], field: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        build()
    assert caught.value.field == field


def test_class_data() -> None:
    assert OPS["wait_call"] is WaitCall and OPS["get_mnp"] is GetMnp
    assert (WaitCall.command, GetMnp.command) == (None, None)
    assert WaitCall.idempotent is False  # every call opens a new paid request
    assert GetMnp.idempotent is True
    assert (WaitCall.rate_limit, GetMnp.rate_limit) == (None, None)  # none documented
    assert WaitCall.result_type is WaitCallNumber
    assert issubclass(GetMnp, FileOp) and GetMnp.result_type == list[CsvRow]
    with pytest.raises(TypeError, match="get_mnp"):
        GetMnp().result_shape()


# -- wait_call: every shape ----------------------------------------------------------------

ALL = ["74950000001", "74950000002", "74950000003"]
FULL = WaitCallNumber(phone=CALL, all_phones=ALL)


@pytest.mark.parametrize(
    ("fmt", "body", "expected"),
    [
        (3, '{"phone": "74950000001", "all_phones": ["74950000001", "74950000002", "74950000003"]}', FULL),
        (0, "phone = 74950000001, all_phones = 74950000001,74950000002,74950000003", FULL),
        (0, "phone = 74950000001, all_phones = 74950000001, 74950000002, 74950000003", FULL),
        (0, "phone = 74950000001", WaitCallNumber(phone=CALL)),
        (0, "phone = 74950000001, all_phones = ", WaitCallNumber(phone=CALL)),
        (1, "74950000001,74950000001,74950000002,74950000003", FULL),
        (1, "74950000001", WaitCallNumber(phone=CALL)),
        (1, "74950000001,", WaitCallNumber(phone=CALL)),
        (
            2,
            "<result><phone>74950000001</phone>"
            "<all_phones>74950000001,74950000002,74950000003</all_phones></result>",
            FULL,
        ),
        (
            2,
            "<result><phone>74950000001</phone><all_phones>74950000001</all_phones>"
            "<all_phones>74950000002</all_phones><all_phones>74950000003</all_phones></result>",
            FULL,
        ),
        (
            2,
            "<result><phone>74950000001</phone><all_phones>74950000001</all_phones></result>",
            WaitCallNumber(phone=CALL, all_phones=[CALL]),
        ),
        (2, "<result><phone>74950000001</phone><all_phones/></result>", WaitCallNumber(phone=CALL)),
    ],
)
def test_every_shape_decodes(fmt: int, body: str, expected: WaitCallNumber) -> None:
    assert decode(WaitCall(phone=PHONE, fmt=fmt), body) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("all_phones", "expected"),
    [
        ('["1", "2"]', ["1", "2"]),  # the array clients read [code]
        ('"1,2"', ["1", "2"]),  # comma-joined text
        ('" 1 , 2 ,"', ["1", "2"]),
        ('"1"', ["1"]),  # a lone string
        ("[1, 2]", ["1", "2"]),  # JSON numbers: phones are text
        ("79990001122", ["79990001122"]),
        ("[]", []),
        ('""', []),
        ("null", []),
        (None, []),  # absent
    ],
)
def test_all_phones_is_a_list_of_strings_however_it_comes(
    all_phones: str | None, expected: list[str]
) -> None:
    member = "" if all_phones is None else f', "all_phones": {all_phones}'
    got = decode(WaitCall(phone=PHONE), '{"phone": "7"' + member + "}", "application/json")
    assert got == WaitCallNumber(phone="7", all_phones=expected)
    assert type(got.all_phones) is list and all(type(p) is str for p in got.all_phones)


def test_what_is_no_number_in_all_phones_is_a_decode_error() -> None:
    op = WaitCall(phone=PHONE)
    for members in ("[{}, {}]", '[["1"]]', '{"a": "1"}', "[1e400]", "[true]"):
        with pytest.raises(DecodeError):
            decode(op, '{"phone": "7", "all_phones": ' + members + "}")
    # A number with a fraction is read exactly, as JSON numbers are everywhere.
    assert decode(op, '{"phone": "7", "all_phones": [0.10]}').all_phones == ["0.10"]


def test_xml_repeated_numbers_are_bounded_by_the_room_and_text_is_not() -> None:
    op = WaitCall(phone=PHONE, fmt=2)
    many = [f"7495{i:07d}" for i in range(3000)]
    elements = "".join(f"<all_phones>{p}</all_phones>" for p in many)
    with pytest.raises(DecodeError, match="room for"):  # past 64 KiB, one element per number
        decode(op, f"<result><phone>{CALL}</phone>{elements}</result>")
    joined = f"<result><phone>{CALL}</phone><all_phones>{','.join(many * 3)}</all_phones></result>"
    assert decode(op, joined).all_phones == many * 3
    few = "".join(f"<all_phones>{p}</all_phones>" for p in many[:1000])  # under 64 KiB
    assert decode(op, f"<result><phone>{CALL}</phone>{few}</result>").all_phones == many[:1000]


def test_a_number_written_as_a_json_number_is_text() -> None:
    got = decode(WaitCall(phone=PHONE), '{"phone": 74950000001, "all_phones": [74950000001]}')
    assert got == WaitCallNumber(phone=CALL, all_phones=[CALL])


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
@pytest.mark.parametrize(
    "result", [FULL, WaitCallNumber(phone=CALL), WaitCallNumber(phone=CALL, all_phones=[CALL])]
)
def test_results_round_trip_in_every_fmt(fmt: int, result: WaitCallNumber) -> None:
    op = WaitCall(phone=PHONE, fmt=fmt)  # type: ignore[arg-type]
    assert op.decode(op.render(result)) == result


@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        (0, "Service Unavailable"),
        (0, "OK"),
        (1, "OK"),
        (1, "502 Bad Gateway"),
        (1, "phone,74950000002"),
        (2, "<html><body>502</body></html>"),
        (2, "<result><all_phones>1</all_phones></result>"),
        (3, '{"all_phones": ["1"]}'),
        (3, '{"phone": {"a": 1}}'),
        (3, '{"phone": "1", "all_phones": [{"a": 1}]}'),
        (3, '{"phone": "1", "all_phones": ["1"'),
        (3, ""),
    ],
)
def test_malformed_bodies_are_decode_errors(fmt: int, body: str) -> None:
    with pytest.raises(DecodeError):
        decode(WaitCall(phone=PHONE, fmt=fmt), body)  # type: ignore[arg-type]


# -- errors --------------------------------------------------------------------------------

ERRORS: list[tuple[int, type[SmscError]]] = [
    (1, ParameterError),
    (2, AuthenticationError),
    (3, InsufficientFundsError),
    (4, IpBlockedError),
    (5, ParameterError),
    (6, RateLimitedError),
    (9, RateLimitedError),
]


def _envelope(fmt: int, code: int) -> str:
    return {
        0: f"ERROR = {code} (error text)",
        1: f"0,-{code}",
        2: f"<result>\n<error>error text</error>\n<error_code>{code}</error_code>\n</result>",
        3: f'{{\n"error": "error text",\n"error_code": {code}\n}}',
    }[fmt]


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
@pytest.mark.parametrize(("code", "error"), ERRORS)
def test_errors_map_to_their_classes(fmt: int, code: int, error: type[SmscError]) -> None:
    for op in (WaitCall(phone=PHONE, fmt=fmt), GetMnp(fmt=fmt)):  # type: ignore[arg-type]
        expected = error if op.op_id == "wait_call" or code not in (3, 5, 6) else SmscError
        with pytest.raises(expected) as caught:
            decode(op, _envelope(fmt, code))
        assert caught.value.code == code and caught.value.op == op.op_id
        assert type(caught.value) is expected  # get_mnp has no table of its own
        rendered = op.render_error(code, "error text")
        with pytest.raises(expected):
            op.decode(rendered)


def test_an_unlisted_code_is_the_base_error() -> None:
    with pytest.raises(SmscError) as caught:
        decode(WaitCall(phone=PHONE, fmt=0), "ERROR = 7 (something new)")
    assert type(caught.value) is SmscError and caught.value.description == "something new"


# -- get_mnp: the CSV file -------------------------------------------------------------------

MNP = '"number";"mccmnc"\r\n"79161234567";"25001"\r\n"79031234567";"25099"\r\n'
MNP_ROWS = [{"number": "79161234567", "mccmnc": "25001"}, {"number": "79031234567", "mccmnc": "25099"}]


def test_get_mnp_reads_the_base_keyed_by_its_header() -> None:
    assert decode(GetMnp(), MNP, "text/csv") == MNP_ROWS
    assert decode(GetMnp(), "phone;op\n79161234567;25001\n", "application/octet-stream") == [
        {"phone": "79161234567", "op": "25001"}
    ]
    assert decode(GetMnp(), '"number";"mccmnc"\r\n', "text/csv") == []


def test_get_mnp_shares_the_csv_file_code_with_downloads() -> None:
    # One implementation (file_op.CsvFileOp), not a copy per op.
    for name in ("stream_decoder", "decode", "render"):
        assert getattr(GetMnp, name) is getattr(CsvFileOp, name) is getattr(DownloadsGetFile, name)
    response = GetMnp().render(MNP_ROWS)
    assert response.header("Content-Type") == "text/csv; charset=utf-8"
    assert response.body == render_csv(MNP_ROWS).encode()
    assert GetMnp().decode(response) == MNP_ROWS


@pytest.mark.parametrize(
    "body",
    [
        "<html><body>502 Bad Gateway</body></html>",
        '{"phone": "79161234567"}',
        "%PDF-1.4\n",
        "",
        '"number";"mccmnc"\r\n"7916',
        "no delimiter here\n1\n",
    ],
)
def test_get_mnp_refuses_what_is_not_the_file(body: str) -> None:
    with pytest.raises(DecodeError):
        decode(GetMnp(), body)


# -- get_mnp through both clients ------------------------------------------------------------

LINE = b'"79161234567";"25001"\r\n'


def _base(lines: int, piece: int = 64 * 1024) -> Iterator[bytes]:
    """The MNP file of ``lines`` numbers, made on the fly in pieces of about ``piece`` bytes."""
    yield b'"number";"mccmnc"\r\n'
    per = max(1, piece // len(LINE))
    for start in range(0, lines, per):
        yield LINE * min(per, lines - start)


@pytest.mark.parametrize("stream", STREAMERS)
@pytest.mark.parametrize("mode", ["length", "chunked"])
def test_get_mnp_streams_every_row(server: LoopbackServer, stream: Any, mode: Any) -> None:
    server.respond = lambda path, form: Reply(200, CSV, _base(5000, 777), mode)
    rows = stream(server.url, GetMnp())
    assert rows == [{"number": "79161234567", "mccmnc": "25001"}] * 5000
    path, form = server.requests[-1]
    assert path == "/sys/get_mnp.php"
    assert form["fmt"] == "3" and "date" not in form


@pytest.mark.parametrize("stream", STREAMERS)
@pytest.mark.parametrize(("fmt", "code"), [(0, 1), (1, 9), (2, 4), (3, 2)])
def test_get_mnp_error_envelope_through_the_clients(
    server: LoopbackServer, stream: Any, fmt: int, code: int
) -> None:
    body = _envelope(fmt, code).encode()
    server.respond = lambda path, form: Reply(200, {"Content-Type": TEXT}, body, "chunked")
    with pytest.raises(SmscError) as caught:
        stream(server.url, GetMnp(fmt=fmt))  # type: ignore[arg-type]
    assert (caught.value.code, caught.value.op) == (code, "get_mnp")


@pytest.mark.parametrize("stream", STREAMERS)
def test_get_mnp_cut_inside_a_quoted_field(server: LoopbackServer, stream: Any) -> None:
    body = b"".join(_base(2000)) + b'"7916'
    server.respond = lambda path, form: Reply(200, CSV, body, "chunked")
    with pytest.raises(DecodeError, match="cut short"):
        stream(server.url, GetMnp())


@pytest.mark.parametrize("stream", STREAMERS)
def test_a_large_base_streams_in_flat_memory(server: LoopbackServer, stream: Any) -> None:
    # 8 MB of numbers through each client: the rows are counted, never kept. The server's
    # pieces are made on the fly; what the client holds at once is a few pieces and their rows.
    lines = 8_000_000 // len(LINE)
    server.respond = lambda path, form: Reply(200, CSV, _base(lines), "chunked")
    count = [0]

    def sink(row: Any) -> None:
        count[0] += 1

    tracemalloc.start()
    try:
        stream(server.url, GetMnp(), sink)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count[0] == lines
    # About 2-3 MB seen: less than the file, let alone its rows (over 100 MB when kept).
    assert peak < 6_000_000, peak


# -- linear time: the new layouts on hostile bodies ------------------------------------------

SMALL = 10_000


def _seconds(op: Any, body: bytes) -> float:
    started = time.perf_counter()
    with contextlib.suppress(DecodeError, SmscError):
        op.decode(HttpResponse(200, {"Content-Type": TEXT}, body))
    return time.perf_counter() - started


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
@pytest.mark.parametrize(
    "make",
    [
        lambda n: b"7" + b"," * n + b"x",  # fmt=1: a run of empty list items, then no number
        lambda n: b"7," + b"7," * (n // 2),  # a long list
        lambda n: b"7" * n + b",x" + b" " * n,
        lambda n: b"phone = 7, all_phones = " + b"1," * (n // 2),
        lambda n: b"phone = 7, all_phones = " + b", all_phones = " * (n // 15),
        lambda n: b'{"phone": "7", "all_phones": "' + b"1," * (n // 2) + b'"}',
        lambda n: b"<result><phone>7</phone>" + b"<all_phones>1</all_phones>" * (n // 26) + b"</result>",
    ],
    ids=["commas", "long-list", "digits-blanks", "pairs-list", "repeated-key", "json-string", "xml-items"],
)
def test_wait_call_decodes_hostile_bodies_in_linear_time(fmt: int, make: Callable[[int], bytes]) -> None:
    op = WaitCall(phone=PHONE, fmt=fmt)  # type: ignore[arg-type]
    small, large = make(SMALL), make(10 * SMALL)
    for _ in range(3):  # the best of three: a busy machine is noisy
        large_seconds = _seconds(op, large)
        ratio = large_seconds / max(_seconds(op, small), 1e-6)
        if large_seconds < 0.15 or ratio <= 30:
            return
    pytest.fail(f"x{ratio:.0f} for ten times the body ({large_seconds:.2f}s)")
