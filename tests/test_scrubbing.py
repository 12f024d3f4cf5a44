"""Credential parameters scrubbed by name, by the codec alone (``op.decode``, no secret
known): every spelling of ``psw``, ``apikey`` and the password names, in a DecodeError's
excerpt and reason and in an SmscError's description, scrubbed from the whole body before
the excerpt is cut, in linear time."""

from __future__ import annotations

import time
from decimal import Decimal
from urllib.parse import quote_plus

import msgspec
import pytest
from documents_support import BOUNDARY, json_part, multipart_type, pdf_part
from hypothesis import example, given, settings, strategies as st

from smsc_proto import (
    AuthenticationError,
    Balance,
    DecodeError,
    DocumentsAddAccount,
    HttpResponse,
    SmscError,
    SmscProtoError,
    TransportError,
)
from smsc_proto.errors import excerpt, scrub_credentials
from smsc_proto.formats.multipart import render_multipart
from smsc_proto.op import Fmt

SECRET = "Zq7Xk9Wm2Vb4Np6R"  # 16 characters, none of them in the texts around it
# A password that form encoding changes: ``&``, ``=``, ``+`` and a space in it. (Echoed
# decoded, a password holding ``&name=`` reads as two pairs: the exact layer hides that.)
ODD = "Zq7X k9W&=m2V+b4N"
QUOTED = quote_plus(ODD)

# (id, text holding the secret): every spelling the codec must hide on its own.
SPELLINGS = [
    # Forms, as sent or echoed: any case, PHP array names, URL-encoded, encoded twice.
    ("form", f"login=acme&psw={SECRET}&phones=79991234567"),
    ("form-upper", f"LOGIN=acme&PSW={SECRET}"),
    ("form-array", f"psw[]={SECRET}&x=1"),
    ("form-array-index", f"psw[0]={SECRET}"),
    ("form-array-encoded", f"Psw%5B%5D={SECRET}&x=1"),
    ("form-url-encoded-value", f"login=acme&psw={QUOTED}&phones=7999"),
    ("form-decoded-value", f"login=acme&psw={ODD}&phones=7999"),
    ("form-encoded-twice", f"next=%2Fsys%2Fsend.php%3Flogin%3Dacme%26psw%3D{SECRET}%26phones%3D7999"),
    ("form-in-html", f"<a href='/x?login=acme&amp;psw={SECRET}&amp;x=1'>retry</a>"),
    ("apikey", f"apikey={SECRET}&phones=7999"),
    ("apikey-upper", f"APIKEY={SECRET}"),
    ("api_key", f"api_key={SECRET}"),
    ("password", f"password={SECRET}&x=1"),
    ("passwd", f"passwd={SECRET}"),
    ("pass", f"pass={SECRET}"),
    ("pwd", f"pwd={SECRET}"),
    ("nested-name", f"user[password]={SECRET}&x=1"),
    # JSON, reprs, and JSON quoted inside JSON.
    ("json", f'{{"login": "acme", "psw": "{SECRET}", "x": 1}}'),
    ("json-tight", f'{{"psw":"{SECRET}"}}'),
    ("json-escaped-quote", f'{{"psw": "a\\"b{SECRET}\\\\", "x": 1}}'),
    ("json-apikey", f'{{"apikey": "{SECRET}"}}'),
    ("repr", f"{{'login': 'acme', 'psw': '{SECRET}'}}"),
    ("json-in-json", f'{{\\"psw\\": \\"{SECRET}\\", \\"x\\": 1}}'),
    # XML and HTML.
    ("xml", f"<request><login>acme</login><psw>{SECRET}</psw></request>"),
    ("xml-upper-attrs", f'<PASSWORD type="text">{SECRET}</PASSWORD>'),
    ("xml-cdata", f"<psw><![CDATA[<{SECRET}]]></psw>"),
    ("html-input", f'<input type="password" name="psw" value="{SECRET}">'),
    # key = value text and PHP dumps.
    ("key-value", f"psw = {SECRET}"),
    ("key-colon", f"Password: {SECRET}"),
    ("key-spaced-colon", f"apikey : {SECRET}"),
    ("print_r", f"Array ( [login] => acme [psw] => {SECRET} )"),
    ("var_dump", f'array(1) {{\n  ["psw"]=>\n  string(16) "{SECRET}"\n}}'),
]


def _pieces(secret: str, size: int = 4) -> set[str]:
    return {secret[i : i + size] for i in range(len(secret) - size + 1)}


def _everything(exc: BaseException) -> str:
    return "\n".join([str(exc), repr(exc), repr(exc.args), repr(vars(exc))])


def assert_hidden(text: str) -> None:
    """No four characters in a row of the secret, in any spelling, appear in ``text``."""
    for spelling in (SECRET, ODD, QUOTED):
        shown = sorted(piece for piece in _pieces(spelling) if piece in text)
        assert shown == [], f"{shown} of {spelling!r} in {text!r}"


def _decode(op: Balance | DocumentsAddAccount, body: bytes, content_type: str) -> SmscProtoError:
    with pytest.raises(SmscProtoError) as info:
        op.decode(HttpResponse(200, {"Content-Type": content_type}, body))
    return info.value


@pytest.mark.parametrize("text", [t for _, t in SPELLINGS], ids=[i for i, _ in SPELLINGS])
def test_spelling_is_hidden_from_a_decode_error_excerpt(text: str) -> None:
    # A proxy's page echoing the request: no API envelope, so a DecodeError quoting the body.
    error = _decode(Balance(), f"<html><body>bad request: {text}</body></html>".encode(), "text/html")
    assert isinstance(error, DecodeError)
    assert "<hidden>" in error.excerpt
    assert_hidden(_everything(error))


@pytest.mark.parametrize("text", [t for _, t in SPELLINGS], ids=[i for i, _ in SPELLINGS])
def test_spelling_is_hidden_from_a_decode_error_reason(text: str) -> None:
    # The value of a field that is not a number: the reason quotes it.
    body = msgspec.json.encode({"balance": text})
    error = _decode(Balance(), body, "application/json")
    assert isinstance(error, DecodeError)
    assert "not a number" in error.reason
    assert "<hidden>" in error.reason
    assert_hidden(_everything(error))


@pytest.mark.parametrize("text", [t for _, t in SPELLINGS], ids=[i for i, _ in SPELLINGS])
def test_spelling_is_hidden_from_a_bytes_excerpt(text: str) -> None:
    # File ops quote bytes: here the part meant as the invoice PDF is the echo.
    body = render_multipart(
        [json_part('{"id": 1, "sum": "2"}'), pdf_part(f"<html>{text}".encode())], BOUNDARY
    )
    error = _decode(DocumentsAddAccount(user="client1", sum=Decimal(2)), body, multipart_type())
    assert isinstance(error, DecodeError)
    assert "not a PDF" in error.reason
    assert "<hidden>" in error.excerpt
    assert_hidden(_everything(error))


# fmt=0 envelopes are one line: the multi-line spellings go in XML and JSON only.
_ENVELOPES = [
    pytest.param(fmt, text, id=f"fmt{fmt}-{name}")
    for fmt in (0, 2, 3)
    for name, text in SPELLINGS
    if fmt or "\n" not in text
]


@pytest.mark.parametrize(("fmt", "text"), _ENVELOPES)
def test_spelling_is_hidden_from_an_echoed_error_description(fmt: Fmt, text: str) -> None:
    response = Balance(fmt=fmt).render_error(2, f"bad request: {text}")
    error = _decode(Balance(), response.body, response.header("Content-Type") or "")
    assert isinstance(error, AuthenticationError)
    assert error.description.startswith("bad request: ")
    assert "<hidden>" in error.description
    assert_hidden(_everything(error))


def test_form_echo_cut_inside_the_password_shows_none_of_it() -> None:
    # The excerpt is 120 characters: whatever the password's place, the cut leaves no start
    # of it (before: the excerpt was cut first, and up to 15 of 16 characters showed).
    for shown in range(1, len(SECRET) + 1):
        form = f"login=acme&psw={SECRET}&phones=79991234567&mes=hi"
        pad = 120 - len("<html>") - len("login=acme&psw=") - shown
        body = f"<html>{'x' * pad}{form}</html>"
        error = _decode(Balance(), body.encode(), "text/html")
        assert isinstance(error, DecodeError)
        assert len(error.excerpt) == 120
        after = error.excerpt.rpartition("psw=")[2]
        assert after.startswith("<hidden>&phones=") or "<hidden>&phones=".startswith(after), after
        assert_hidden(_everything(error))


def test_reason_cut_inside_the_password_shows_none_of_it() -> None:
    # The reason quotes the value cut to 60 characters; the name comes before the cut.
    body = msgspec.json.encode({"balance": "y" * 40 + " psw=" + SECRET * 3})
    error = _decode(Balance(), body, "application/json")
    assert isinstance(error, DecodeError)
    assert "psw=<hidden>" in error.reason
    assert_hidden(_everything(error))


@pytest.mark.parametrize(
    "text",
    [
        "login=acme&phones=79991234567",
        "bypass=1&passport=2&password_hint=x&compass=3&apikeys=4&user_psw=5",
        "psw=&login=acme",  # an empty value hides nothing
        '{"psw": "", "x": 1}',
        "<psw></psw>",
        "psw",
        "the password was wrong",
    ],
)
def test_other_names_and_empty_values_stay(text: str) -> None:
    assert scrub_credentials(text) == text


def test_login_stays_and_only_values_are_replaced() -> None:
    text = 'login=acme&psw=s1&x=1 {"psw": "s2"} <psw>s3</psw> psw = s4'
    assert scrub_credentials(text) == (
        'login=acme&psw=<hidden>&x=1 {"psw": "<hidden>"} <psw><hidden></psw> psw = <hidden>'
    )


def test_an_unquoted_value_runs_to_the_next_pair_or_the_end_of_the_line() -> None:
    # A raw echo may hold spaces, ``&`` and ``=`` in the password: only "&name=" ends it.
    assert scrub_credentials("psw=a b&=c&lt;d&x=1\nnext") == "psw=<hidden>&x=1\nnext"
    assert scrub_credentials("psw=abc</p><p>more") == "psw=<hidden>"


def test_bytes_and_text_are_scrubbed_alike() -> None:
    for _, text in SPELLINGS:
        assert scrub_credentials(text.encode()) == scrub_credentials(text).encode()


def test_an_error_description_and_a_message_id_are_scrubbed_at_construction() -> None:
    error = SmscError(3, f"psw={SECRET}", "send", message_id=f"psw={SECRET}")
    assert (error.description, error.message_id) == ("psw=<hidden>", "psw=<hidden>")
    assert_hidden(_everything(error))
    assert SmscError(3, "x", "send", message_id=42).message_id == 42


def test_a_transport_error_reason_is_scrubbed() -> None:
    # An HTTP library's message may quote a bad status line the server sent.
    error = TransportError("balance", f"bad status line 'HTTP/1.1 200 psw={SECRET}'", sent=True)
    assert error.reason.endswith("psw=<hidden>")
    assert_hidden(_everything(error))


def test_the_exact_secret_layer_still_hides_what_no_name_marks() -> None:
    # Without a name the codec cannot tell a secret; the transports' redact() still can.
    error = DecodeError("balance", "not a number", f"<html>token {SECRET}</html>")
    assert SECRET in error.excerpt
    error.redact([SECRET])
    assert_hidden(_everything(error))


# -- the excerpt is the start of the whole body scrubbed ----------------------------------------

_tokens = st.sampled_from(
    [
        "psw", "PSW", "password", "pass", "apikey", "api_key", "login", "=", "=>", ":", "%3D",
        "%26", "%5B%5D", "[]", "&", "&amp;", "&lt;", '"', "'", "\\", "<", ">", "</", "<psw>",
        "<![CDATA[", "]]>", " ", "\n", "x", "value=", "secret", "é",
    ]
)  # fmt: skip


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else "\\x%02x" % (ord(ch) & 0xFF) for ch in text)


@settings(max_examples=400, deadline=None)
@given(parts=st.lists(_tokens, max_size=80), pad=st.integers(0, 130))
@example(parts=["psw", "=", "&", "<psw>", "="], pad=0)  # a tag after `&` read as a name once
@example(parts=["<", "psw", " ", "=", "]]>", "psw"], pad=0)  # <hidden> read as no element text
def test_excerpt_is_the_whole_body_scrubbed_then_cut(parts: list[str], pad: int) -> None:
    text = "y" * pad + "".join(parts)
    scrubbed = scrub_credentials(text)
    assert excerpt(text) == _printable(scrubbed[:120])
    data = text.encode()
    assert excerpt(data) == _printable(scrub_credentials(data)[:480].decode("utf-8", "replace")[:120])
    # Scrubbing twice changes nothing: <hidden> is no value to hide again.
    assert scrub_credentials(scrubbed) == scrubbed


# -- linear time -------------------------------------------------------------------------------

MB = 1 << 20
FRAGMENTS = [
    "psw=",
    "psw=&",
    "psw=a&",
    "psw[",
    "psw%5B",
    "<psw ",
    "<psw>a</psw>",
    '"psw": "',
    '"psw":"",',
    "%26psw%3D",
    'psw="\\',
    "<psw><![CDATA[",
    "psw=&a",
    "psw=\n",
    "pass",
    "a",
]


def _timed(work: object) -> float:
    assert callable(work)
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


@pytest.mark.parametrize("fragment", FRAGMENTS)
def test_a_megabyte_of_fragments_is_scrubbed_in_linear_time(fragment: str) -> None:
    text = (fragment * (MB // len(fragment) + 1))[:MB]
    data = text.encode()

    def decode_text() -> None:
        with pytest.raises(DecodeError):
            Balance().decode(HttpResponse(200, {"Content-Type": "text/html"}, b"<html>" + data))

    def decode_bytes() -> None:
        body = render_multipart([json_part('{"id": 1}'), pdf_part(data)], BOUNDARY)
        with pytest.raises(DecodeError):
            DocumentsAddAccount(user="u", sum=Decimal(1)).decode(
                HttpResponse(200, {"Content-Type": multipart_type()}, body)
            )

    def description() -> None:
        body = msgspec.json.encode({"error": text, "error_code": 2})
        with pytest.raises(AuthenticationError):
            Balance().decode(HttpResponse(200, {"Content-Type": "application/json"}, body))

    for work in (lambda: scrub_credentials(text), lambda: scrub_credentials(data), decode_text, decode_bytes):
        assert _timed(work) < 0.5
    # The description is kept whole, so scrubbed whole: still linear.
    assert _timed(description) < 1.0
    # Ten times the text, about ten times the time (not a hundred): linear, not quadratic.
    small = text[: MB // 10]
    assert _timed(lambda: scrub_credentials(text)) < 30 * max(_timed(lambda: scrub_credentials(small)), 1e-3)
