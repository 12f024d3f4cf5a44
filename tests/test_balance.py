"""balance.php op ``balance`` (spec/balance.md): a bare number in fmt 0/1, cur=1 currency."""

from __future__ import annotations

import contextlib
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from smsc_proto import (
    OPS,
    AuthenticationError,
    Balance,
    BalanceResult,
    DecodeError,
    HttpResponse,
    InvalidParameter,
    IpBlockedError,
    ParameterError,
    RateLimitedError,
    SmscError,
)
from smsc_proto.op import CONTENT_TYPES, Fmt
from smsc_proto.ratelimit import RateLimit


def decode(op: Balance, body: str | bytes, content_type: str = "text/plain; charset=utf-8") -> Any:
    raw = body.encode("utf-8") if isinstance(body, str) else body
    return op.decode(HttpResponse(200, {"Content-Type": content_type}, raw))


def test_params() -> None:
    assert Balance(fmt=1).params() == [("fmt", "1"), ("charset", "utf-8")]
    assert dict(Balance(cur=1).params())["cur"] == "1"
    assert Balance.path == "/sys/balance.php"


def test_class_data() -> None:
    assert Balance.result_type is BalanceResult
    assert Balance(cur=1).result_type is BalanceResult
    assert Balance.command is None  # no `<command>=1` flag: the first field is the first param
    assert Balance(cur=1).params()[0] == ("cur", "1")
    assert Balance.op_id == "balance"
    assert OPS["balance"] is Balance
    assert Balance.idempotent is True


@pytest.mark.parametrize("cur", [2, "x", -1])
def test_bad_cur_is_refused(cur: Any) -> None:
    with pytest.raises(InvalidParameter) as info:
        OPS["balance"].from_params({"cur": cur}, 0)
    assert info.value.field == "cur"


def test_rate_limit_counts_all_balance_requests() -> None:
    limit = Balance().rate_limit
    assert limit is not None and (limit.count, limit.identical) == (10, False)
    assert Balance.rate_limit == RateLimit(10, identical=False)


@pytest.mark.parametrize(
    ("fmt", "cur", "body", "expected"),
    [
        (0, None, "250.80", BalanceResult(Decimal("250.80"))),
        (1, None, "250.80", BalanceResult(Decimal("250.80"))),
        (1, None, "250", BalanceResult(Decimal("250"))),
        (2, None, "<balance>250.80</balance>", BalanceResult(Decimal("250.80"))),
        (3, None, '{\n"balance": "1871.62"\n}', BalanceResult(Decimal("1871.62"))),
        (0, None, "-12.50", BalanceResult(Decimal("-12.50"))),
        (1, None, "-12.50", BalanceResult(Decimal("-12.50"))),
        (3, None, '{"balance": "-0.01"}', BalanceResult(Decimal("-0.01"))),
        (0, 1, "250.80 RUR", BalanceResult(Decimal("250.80"), currency="RUR")),
        (1, 1, "250.80,1000.00,RUR", BalanceResult(Decimal("250.80"), Decimal("1000.00"), "RUR")),
        (1, 1, "250.80,,RUR", BalanceResult(Decimal("250.80"), currency="RUR")),
        (
            2,
            1,
            "<balance>-5.00</balance>\n<credit>100.00</credit>\n<currency>KZT</currency>",
            BalanceResult(Decimal("-5.00"), Decimal("100.00"), "KZT"),
        ),
        (3, 1, '{"balance": "100.01", "currency": "RUR"}', BalanceResult(Decimal("100.01"), currency="RUR")),
        (
            3,
            1,
            '{"balance": "-50.00", "credit": "1000.00", "currency": "RUR"}',
            BalanceResult(Decimal("-50.00"), Decimal("1000.00"), "RUR"),
        ),
        (3, None, '{"balance": 12.3}', BalanceResult(Decimal("12.3"))),
        (3, None, "250.80", BalanceResult(Decimal("250.80"))),  # plain text to fmt=3
    ],
)
def test_shapes(fmt: Fmt, cur: int | None, body: str, expected: BalanceResult) -> None:
    result = decode(OPS["balance"].from_params({"cur": cur} if cur else {}, fmt), body)  # type: ignore[arg-type]
    assert result == expected
    assert isinstance(result.balance, Decimal)
    assert str(result.balance) == str(expected.balance)  # exact digits, never a float


def test_bom_crlf_and_missing_charset() -> None:
    assert decode(Balance(fmt=0), b"\xef\xbb\xbf250.80\r\n", "text/plain").balance == Decimal("250.80")


@pytest.mark.parametrize(
    ("code", "cls"),
    [(1, ParameterError), (2, AuthenticationError), (4, IpBlockedError), (9, RateLimitedError)],
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
        decode(Balance(fmt=fmt), body)
    assert type(info.value) is cls
    assert (info.value.code, info.value.op) == (code, "balance")


def test_negative_balance_is_not_an_error_but_0_comma_minus_n_is() -> None:
    assert decode(Balance(fmt=1), "-2").balance == Decimal("-2")
    with pytest.raises(AuthenticationError):
        decode(Balance(fmt=1), "0,-2")


@pytest.mark.parametrize(
    "body",
    [
        "",
        "1234,1",  # a send answer
        "OK - 1 SMS, ID - 1234",
        "250,80",  # a decimal comma would be ambiguous with fmt=1
        '{"balance": "lots"}',
        '{"currency": "RUR"}',
        "<html><body>503</body></html>",
        "250.80 roubles",
        '{"balance": "1.0", "cn',
    ],
)
def test_malformed_bodies_raise_decode_error(body: str) -> None:
    with pytest.raises(DecodeError):
        decode(Balance(fmt=1, cur=1), body)


@settings(max_examples=150, deadline=None)
@given(body=st.binary(max_size=100))
def test_nothing_but_api_or_decode_errors_escape(body: bytes) -> None:
    for fmt in (0, 1, 2, 3):
        with contextlib.suppress(SmscError, DecodeError):
            Balance(fmt=fmt).decode(HttpResponse(200, {}, body))


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_rendered_answers_decode_back(fmt: Fmt) -> None:
    op = Balance(cur=1, fmt=fmt)
    plain = BalanceResult(Decimal("-12.50"))
    response = op.render(plain)
    assert (response.status, response.header("Content-Type")) == (200, CONTENT_TYPES[fmt])
    assert op.decode(response) == plain
    assert op.decode_text(response.body.decode()) == plain
    with_currency = BalanceResult(Decimal("250.80"), currency="RUR")
    assert op.decode_text(op.render(with_currency).body.decode()) == with_currency
    if fmt != 0:  # fmt=0 shows no credit [doc]
        full = BalanceResult(Decimal("250.80"), Decimal("1000.00"), "RUR")
        assert op.decode(op.render(full)) == full
    # render's fmt argument overrides the op's.
    assert Balance(fmt=3).render(plain, fmt).body == response.body


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_rendered_errors_decode_back(fmt: Fmt) -> None:
    op = Balance(fmt=fmt)
    response = op.render_error(2, "authorise error")
    assert (response.status, response.header("Content-Type")) == (200, CONTENT_TYPES[fmt])
    with pytest.raises(AuthenticationError) as info:
        op.decode(response)
    assert (info.value.code, info.value.op) == (2, "balance")
