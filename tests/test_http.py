import codecs
import dataclasses
from types import MappingProxyType
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings, strategies as st

from smsc_proto import Credentials, HttpRequest, HttpResponse, Ping
from smsc_proto.http import body_text, charset_of, form_body


def test_request_is_post_form_with_credentials_in_body_only() -> None:
    request = Ping(id=7, info="disk 95%").request(Credentials(login="acme", psw="pa ss&=word"))
    assert request.method == "POST"
    assert request.path == "/sys/ping.php"
    assert "psw" not in request.path and "?" not in request.path
    assert dict(request.headers)["Content-Type"].startswith("application/x-www-form-urlencoded")
    form = HttpRequest.parse_body(request.body)
    assert form["psw"] == "pa ss&=word"
    assert form["info"] == "disk 95%"
    assert form["charset"] == "utf-8"
    assert form["fmt"] == "3"


def test_request_repr_and_params_hide_secrets() -> None:
    request = Ping(id=7).request(Credentials(apikey="KEY-hunter2"))
    assert "hunter2" not in repr(request)
    assert "apikey" not in request.params()
    assert request.params()["id"] == "7"


def test_body_is_utf8_urlencoded() -> None:
    request = Ping(id=1, info="сервер").request(Credentials(apikey="k"))
    assert b"info=%D1%81%D0%B5%D1%80%D0%B2%D0%B5%D1%80" in request.body


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("application/json; charset=windows-1251", "cp1251"),
        ("text/plain;charset=UTF-8", "utf-8"),
        ('text/plain; charset="koi8-r"', "koi8-r"),
        ("text/plain", None),
        ("text/plain; charset=no-such-codec", None),
        # Codecs that are no charsets: escapes read as text, bytes transforms, no "replace".
        ("text/plain; charset=unicode_escape", None),
        ("text/plain; charset=raw-unicode-escape", None),
        ("text/plain; charset=rot13", None),
        ("text/plain; charset=idna", None),
        (None, None),
    ],
)
def test_charset_of(content_type: str | None, expected: str | None) -> None:
    assert charset_of(content_type) == expected


def test_body_text_uses_content_type_charset_then_requested() -> None:
    word = "Доставлено"
    assert body_text(word.encode("cp1251"), "text/plain; charset=windows-1251") == word
    assert body_text(word.encode("utf-8"), "text/plain") == word
    assert body_text(word.encode("koi8-r"), None, requested="koi8-r") == word


def test_body_text_drops_the_bom_and_keeps_line_breaks() -> None:
    # Stripping is the decode pipeline's business (decode_text strips once), not body_text's.
    assert body_text(codecs.BOM_UTF8 + b"OK\r\n\n", "text/plain; charset=windows-1251") == "OK\r\n\n"
    assert body_text(b"\r\n OK \n", None) == "\r\n OK \n"


def test_body_text_falls_back_to_windows_1251_when_utf8_is_wrong() -> None:
    # The live service answers in windows-1251 unless asked otherwise, whatever a header says.
    assert body_text("Россия".encode("cp1251"), "text/plain; charset=utf-8") == "Россия"


def test_response_header_lookup_is_case_insensitive() -> None:
    response = HttpResponse(200, {"content-type": "text/plain"}, b"OK")
    assert response.header("Content-Type") == "text/plain"
    assert response.header("X-Missing") is None
    assert "OK" not in repr(response)  # bodies stay out of reprs
    assert repr(response) == (
        "HttpResponse(status=200, headers={'content-type': 'text/plain'}, body=<2 bytes>)"
    )


def test_response_is_a_plain_class_compared_by_value() -> None:
    response = HttpResponse(200, {"Content-Type": "text/plain"}, b"OK")
    assert not dataclasses.is_dataclass(response)
    assert response == HttpResponse(200, {"Content-Type": "text/plain"}, b"OK")
    assert response != HttpResponse(200, {"Content-Type": "text/plain"}, b"KO")
    assert response != HttpResponse(201, {"Content-Type": "text/plain"}, b"OK")
    assert response != HttpResponse(200, {"Content-Type": "text/html"}, b"OK")
    assert response != (200, {"Content-Type": "text/plain"}, b"OK")
    # Any mapping of the same headers compares equal.
    assert response == HttpResponse(200, MappingProxyType({"Content-Type": "text/plain"}), b"OK")
    with pytest.raises(TypeError):
        hash(response)  # equal by value but mutable: not hashable
    with pytest.raises(AttributeError):
        response.surprise = 1  # type: ignore[attr-defined]


def test_response_defaults() -> None:
    response = HttpResponse(204)
    assert (response.status, dict(response.headers), response.body) == (204, {}, b"")
    assert response.header("Content-Type") is None
    assert response == HttpResponse(204, {}, b"")


@pytest.mark.parametrize(
    ("status", "ok"), [(199, False), (200, True), (204, True), (299, True), (300, False), (503, False)]
)
def test_response_ok_is_a_2xx_status(status: int, ok: bool) -> None:
    assert HttpResponse(status).ok is ok


def test_request_is_a_plain_class_whose_body_is_encoded_once() -> None:
    request = HttpRequest("POST", "/sys/balance.php", (("apikey", "k"), ("fmt", "3")))
    assert not dataclasses.is_dataclass(request)
    assert request.headers == (("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),)
    body = request.body
    assert body == b"apikey=k&fmt=3"
    assert request.body is body  # cached: every attempt sends the same bytes
    assert repr(request) == "HttpRequest(method='POST', path='/sys/balance.php')"
    with pytest.raises(AttributeError):
        request.surprise = 1  # type: ignore[attr-defined]


ODD_VALUES = [
    "",
    "plain-Value_1.0~",
    "two words",
    "  leading and trailing  ",
    "Привет, мир",
    "a&b=c",
    "1+1=2",
    "100% sure",
    "%D0%9F",
    "~tilde~",
    "?#/;:@!$'()*,[]",
    'quote"back\\slash',
    "line\nbreak\r\ttab",
    "emoji 😀 and ё",
    "\x00nul",
]


@pytest.mark.parametrize("value", ODD_VALUES)
def test_form_body_is_what_urlencode_writes(value: str) -> None:
    fields = [("mes", value), (value or "empty", "x"), ("login", "acme"), ("psw", value)]
    assert form_body(fields) == urlencode(fields, encoding="utf-8").encode("ascii")
    assert HttpRequest.parse_body(form_body(fields))["mes"] == value
    request = HttpRequest("POST", "/sys/send.php", tuple(fields))
    assert request.body == urlencode(fields).encode("ascii")


def test_form_body_of_all_odd_values_at_once() -> None:
    fields = [(f"k{n}", value) for n, value in enumerate(ODD_VALUES)]
    assert form_body(fields) == urlencode(fields).encode("ascii")
    assert form_body([]) == b""
    assert form_body(iter([("a", "1")])) == b"a=1"  # any iterable of pairs


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.text(), st.text()), max_size=5))
def test_form_body_matches_urlencode_for_any_text(fields: list[tuple[str, str]]) -> None:
    assert form_body(fields) == urlencode(fields, encoding="utf-8").encode("ascii")
