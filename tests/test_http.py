import codecs

import pytest

from smsc_proto import Credentials, HttpRequest, HttpResponse, Ping
from smsc_proto.http import body_text, charset_of


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


def test_body_text_drops_bom_and_trailing_newlines() -> None:
    assert body_text(codecs.BOM_UTF8 + b"OK\r\n\n", "text/plain; charset=windows-1251") == "OK"


def test_body_text_falls_back_to_windows_1251_when_utf8_is_wrong() -> None:
    # The live service answers in windows-1251 unless asked otherwise, whatever a header says.
    assert body_text("Россия".encode("cp1251"), "text/plain; charset=utf-8") == "Россия"


def test_response_header_lookup_is_case_insensitive() -> None:
    response = HttpResponse(200, {"content-type": "text/plain"}, b"OK")
    assert response.header("Content-Type") == "text/plain"
    assert response.header("X-Missing") is None
    assert "OK" not in repr(response)  # bodies stay out of reprs
