"""ping.php op ``ping`` (spec/ping.md): `OK` in every fmt; error 3 is "task group not found"."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from smsc_proto import (
    OPS,
    AuthenticationError,
    Credentials,
    DecodeError,
    HttpResponse,
    InvalidParameter,
    IpBlockedError,
    NotFoundError,
    OkResult,
    ParameterError,
    Ping,
    RateLimitedError,
    SmscError,
)
from smsc_proto.op import CONTENT_TYPES, Fmt
from smsc_proto.ratelimit import RateLimit


def decode(op: Ping, body: str | bytes, content_type: str = "text/plain; charset=utf-8") -> Any:
    raw = body.encode("utf-8") if isinstance(body, str) else body
    return op.decode(HttpResponse(200, {"Content-Type": content_type}, raw))


def test_params_carry_the_macros_and_template_choice() -> None:
    op = Ping(id=7, name="db1", host="10.0.0.5", info="disk full, 98%", ok=1, fmt=0)
    assert op.params() == [
        ("id", "7"),
        ("name", "db1"),
        ("host", "10.0.0.5"),
        ("info", "disk full, 98%"),
        ("ok", "1"),
        ("fmt", "0"),
        ("charset", "utf-8"),
    ]
    request = op.request(Credentials(login="acme", psw="pw"))
    assert (request.method, request.path) == ("POST", "/sys/ping.php")


def test_ping_is_never_retried_and_limited_per_identical_request() -> None:
    assert Ping.idempotent is False
    limit = Ping(id=7).rate_limit
    assert limit is not None and (limit.count, limit.identical) == (5, True)
    assert Ping.rate_limit == RateLimit(5)


def test_class_data() -> None:
    assert Ping.result_type is OkResult
    assert Ping(id=7).result_type is OkResult
    assert Ping.command is None  # no `<command>=1` flag: the id is the first param
    assert Ping(id=7).params()[0] == ("id", "7")
    assert (Ping.op_id, Ping.path) == ("ping", "/sys/ping.php")
    assert OPS["ping"] is Ping


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "id"),
        ({"id": 0}, "id"),
        ({"id": -3}, "id"),
        ({"id": "seven"}, "id"),
        ({"id": 7, "ok": 2}, "ok"),
    ],
)
def test_invalid_parameters_name_the_field(params: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidParameter) as info:
        OPS["ping"].from_params(params, 3)
    assert info.value.field == field
    assert info.value.op == "ping"


@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        (0, "OK"),
        (1, "OK"),
        (2, "<result>OK</result>"),
        (3, '{\n"result": "OK"\n}'),
        (3, "OK"),  # bare OK to a fmt=3 request
        (0, "OK\r\n"),
        (2, '\ufeff<?xml version="1.0" encoding="utf-8"?>\n<result>OK</result>'),
    ],
)
def test_ok_in_every_fmt(fmt: Fmt, body: str) -> None:
    assert decode(Ping(id=7, fmt=fmt), body) == OkResult(result="OK")


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (1, ParameterError),
        (2, AuthenticationError),
        (3, NotFoundError),
        (4, IpBlockedError),
        (9, RateLimitedError),
    ],
)
@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_errors_map_to_their_class(code: int, cls: type[SmscError], fmt: Fmt) -> None:
    body = {
        0: f"ERROR = {code} (text)",
        1: f"0,-{code}",
        2: f"<result>\n<error>text</error>\n<error_code>{code}</error_code>\n</result>",
        3: f'{{\n"error": "text",\n"error_code": {code}\n}}',
    }[fmt]
    with pytest.raises(SmscError) as info:
        decode(Ping(id=7, fmt=fmt), body)
    assert type(info.value) is cls
    assert (info.value.code, info.value.op) == (code, "ping")
    assert info.value.description == ("" if fmt == 1 else "text")


@pytest.mark.parametrize(
    "body",
    [
        "",
        "DONE",
        "ok",
        '{"result": "FAIL"}',
        '{"result": "O',
        '{"balance": "1.00"}',
        "<html>Bad Gateway</html>",
    ],
)
def test_malformed_bodies_raise_decode_error(body: str) -> None:
    with pytest.raises(DecodeError):
        decode(Ping(id=7), body)


@settings(max_examples=100, deadline=None)
@given(body=st.text(max_size=60), fmt=st.sampled_from([0, 1, 2, 3]))
def test_nothing_but_api_or_decode_errors_escape(body: str, fmt: Fmt) -> None:
    with contextlib.suppress(SmscError, DecodeError):
        Ping(id=7, fmt=fmt).decode_text(body)


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_rendered_answers_decode_back(fmt: Fmt) -> None:
    op = Ping(id=7, fmt=fmt)
    response = op.render(OkResult(result="OK"))
    assert (response.status, response.header("Content-Type")) == (200, CONTENT_TYPES[fmt])
    assert op.decode(response) == OkResult(result="OK")
    assert op.decode_text(response.body.decode()) == OkResult(result="OK")
    error = op.render_error(3, "task group not found")
    assert (error.status, error.header("Content-Type")) == (200, CONTENT_TYPES[fmt])
    with pytest.raises(NotFoundError) as info:
        op.decode(error)
    assert info.value.description == ("" if fmt == 1 else "task group not found")
    with pytest.raises(NotFoundError):
        op.decode_text(error.body.decode())
