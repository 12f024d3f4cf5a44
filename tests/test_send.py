"""send.php ops: ``send`` and ``send.cost`` (spec/send.md).

Request building, validation, decoding of every documented shape, and error mapping. The
conformance fixtures (conformance/fixtures/send, send_cost) cover the recorded exchanges.
"""

from __future__ import annotations

import contextlib
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from smsc_proto import (
    OPS,
    AuthenticationError,
    Credentials,
    DecodeError,
    HttpResponse,
    InsufficientFundsError,
    InvalidParameter,
    IpBlockedError,
    MessageRejectedError,
    ParameterError,
    PhoneInfo,
    RateLimitedError,
    Send,
    SendCost,
    SendCostResult,
    SendResult,
    SmscError,
)
from smsc_proto.op import CONTENT_TYPES, Fmt, Op
from smsc_proto.ratelimit import RateLimit

PHONE = "79991234567"


def decode(op: Op[Any], body: str | bytes, content_type: str = "text/plain; charset=utf-8") -> Any:
    raw = body.encode("utf-8") if isinstance(body, str) else body
    return op.decode(HttpResponse(200, {"Content-Type": content_type}, raw))


# -- request -------------------------------------------------------------------------------


def test_params_join_phones_and_carry_fmt_and_charset() -> None:
    op = Send(phones=[PHONE, "79161234567"], mes="Hi, there", fmt=1, cost=3)
    assert op.params() == [
        ("phones", "79991234567,79161234567"),
        ("mes", "Hi, there"),
        ("cost", "3"),
        ("fmt", "1"),
        ("charset", "utf-8"),
    ]


def test_request_is_a_post_to_send_php_with_credentials_in_the_body_only() -> None:
    request = Send(phones=[PHONE], mes="Hi").request(Credentials(login="acme", psw="s3cret"))
    assert (request.method, request.path) == ("POST", "/sys/send.php")
    assert ("psw", "s3cret") in request.fields
    assert "psw" not in request.params()
    assert "s3cret" not in repr(request)


def test_send_cost_sends_cost_1_as_its_command() -> None:
    params = dict(SendCost(phones=[PHONE], mes="Hi", op=1).params())
    assert params["cost"] == "1"
    assert params["op"] == "1"


def test_type_flags_and_options_go_out_as_given() -> None:
    op = Send(
        phones=["+79991234567"],
        mes="code",
        call=1,
        voice="w",
        param="10,60,3",
        sender="SMSC.RU",
        time="0101301200",
        tz=-1,
        id="order-17",
        translit=2,
    )
    params = dict(op.params())
    assert params["phones"] == "+79991234567"
    assert params["call"] == "1"
    assert params["param"] == "10,60,3"  # a value with commas is not a list
    assert params["tz"] == "-1"
    assert params["id"] == "order-17"
    assert params["translit"] == "2"


@pytest.mark.parametrize("phones", ["79991234567,79161234567", "79991234567; 79161234567"])
def test_from_params_accepts_a_separated_string(phones: str) -> None:
    op = OPS["send"].from_params({"phones": phones, "mes": "Hi"}, 3)
    assert dict(op.params())["phones"] == "79991234567,79161234567"


def test_list_replaces_phones_and_mes() -> None:
    op = Send(list_="79991234567:Hi\n79161234567:Bye, you")
    assert dict(op.params())["list"] == "79991234567:Hi\n79161234567:Bye, you"
    with pytest.raises(InvalidParameter) as info:
        Send(list_="79991234567:Hi", phones=[PHONE])
    assert info.value.field == "list"


def test_unknown_wire_names_go_to_extra() -> None:
    op = OPS["send"].from_params({"phones": [PHONE], "mes": "Hi", "newflag": 1}, 0)
    assert dict(op.params())["newflag"] == "1"


# -- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field", "shown"),
    [
        ({"phones": [], "mes": "Hi"}, "phones", "[]"),
        ({"phones": "", "mes": "Hi"}, "phones", ""),
        ({"phones": [PHONE, " "], "mes": "Hi"}, "phones", "' '"),
        ({"phones": ["7999,7916"], "mes": "Hi"}, "phones", "7999,7916"),
        ({"phones": [PHONE]}, "mes", "None"),
        ({"phones": [PHONE], "mes": "x" * 1001}, "mes", "1001 characters"),
        ({"phones": [PHONE], "mes": "Hi", "id": 0}, "id", "0"),
        ({"phones": [PHONE], "mes": "Hi", "id": 2_147_483_648}, "id", "2147483648"),
        ({"phones": [PHONE], "mes": "Hi", "id": "0"}, "id", "id=0"),
        ({"phones": [PHONE], "mes": "Hi", "id": "bad id!"}, "id", "bad id!"),
        ({"phones": [PHONE], "mes": "Hi", "id": "a" * 41}, "id", "aaaa"),
        ({"phones": [PHONE], "mes": "Hi", "cost": 4}, "cost", "4"),
        ({"phones": [PHONE], "mes": "Hi", "maxsms": 0}, "maxsms", "0"),
        ({"phones": [PHONE], "mes": "Hi", "flash": 2}, "flash", "2"),
    ],
)
def test_invalid_parameters_name_the_field_and_value(params: dict[str, Any], field: str, shown: str) -> None:
    with pytest.raises(InvalidParameter) as info:
        OPS["send"].from_params(params, 0)
    assert info.value.field == field
    assert info.value.op == "send"
    assert field in str(info.value)
    assert shown in str(info.value)


def test_a_long_text_is_not_copied_into_the_error() -> None:
    with pytest.raises(InvalidParameter) as info:
        Send(phones=[PHONE], mes="secret text " * 100)
    assert "secret text" not in str(info.value)


@pytest.mark.parametrize("fmt", [4, -1, "x"])
def test_bad_fmt_is_refused(fmt: Any) -> None:
    with pytest.raises(InvalidParameter) as info:
        OPS["send"].from_params({"phones": [PHONE], "mes": "Hi"}, fmt)
    assert info.value.field == "fmt"
    with pytest.raises(InvalidParameter) as info:
        Send(phones=[PHONE], mes="Hi", fmt=fmt)
    assert (info.value.op, info.value.field) == ("send", "fmt")


def test_mes_of_exactly_1000_characters_and_empty_text_are_accepted() -> None:
    assert Send(phones=[PHONE], mes="x" * 1000).mes == "x" * 1000
    # HLR and ping requests go with an empty text (official libraries do so).
    assert Send(phones=[PHONE], mes="", hlr=1).mes == ""


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        (1, 1),
        (2_147_483_647, 2_147_483_647),
        ("a.b-c_D9", "a.b-c_D9"),
        ("x" * 40, "x" * 40),
        ("2147483647", 2_147_483_647),
    ],
)
def test_valid_message_ids(value: int | str, kept: int | str) -> None:
    # A digit string is the number it spells, as the API reads it.
    assert Send(phones=[PHONE], mes="Hi", id=value).id == kept


# -- decoding: success -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cost", "fmt", "body", "expected"),
    [
        (None, 0, "OK - 1 SMS, ID - 1234", SendResult(cnt=1, id=1234)),
        (None, 1, "1234,1", SendResult(cnt=1, id=1234)),
        (None, 2, "<result>\n<id>1234</id>\n<cnt>1</cnt>\n</result>", SendResult(cnt=1, id=1234)),
        (None, 3, '{\n"id": 33,\n"cnt": 1\n}', SendResult(cnt=1, id=33)),
        (2, 0, "OK - 2 SMS, ID - 12345, COST - 4.48", SendResult(cnt=2, id=12345, cost=Decimal("4.48"))),
        (2, 1, "1234,1,1.40", SendResult(cnt=1, id=1234, cost=Decimal("1.40"))),
        (2, 3, '{"id": 1234, "cnt": 1, "cost": "1.40"}', SendResult(cnt=1, id=1234, cost=Decimal("1.40"))),
        (
            3,
            0,
            "OK - 1 SMS, ID - 1234, COST - 1.40, BALANCE - 100.50",
            SendResult(cnt=1, id=1234, cost=Decimal("1.40"), balance=Decimal("100.50")),
        ),
        (
            3,
            1,
            "1234,1,1.40,100.50",
            SendResult(cnt=1, id=1234, cost=Decimal("1.40"), balance=Decimal("100.50")),
        ),
        (
            3,
            2,
            "<id>12345</id><cnt>2</cnt><cost>4.48</cost><balance>1231.21</balance>",
            SendResult(cnt=2, id=12345, cost=Decimal("4.48"), balance=Decimal("1231.21")),
        ),
        (
            3,
            3,
            '{"id": 1234, "cnt": 1, "cost": "1.40", "balance": "-100.50"}',
            SendResult(cnt=1, id=1234, cost=Decimal("1.40"), balance=Decimal("-100.50")),
        ),
    ],
)
def test_each_cost_shape_decodes(cost: int | None, fmt: Fmt, body: str, expected: SendResult) -> None:
    op = OPS["send"].from_params({"phones": [PHONE], "mes": "Hi", **({"cost": cost} if cost else {})}, fmt)
    result = decode(op, body)
    assert result == expected
    assert result.cost is None or isinstance(result.cost, Decimal)


def test_string_ids_stay_strings_and_digit_ids_become_numbers() -> None:
    op = Send(phones=[PHONE], mes="Hi", id="order-17", fmt=1)
    assert decode(op, "order-17,1").id == "order-17"
    assert decode(op, '{"id": "42", "cnt": "1"}') == SendResult(cnt=1, id=42)


def test_op1_phones_decode_to_phone_info_with_optional_members() -> None:
    op = Send(phones=[PHONE, "79161234567"], mes="Hi", cost=3, op=1)
    body = (
        '{"id": 5, "cnt": 2, "cost": "1.40", "balance": "9.00", "phones": ['
        '{"phone": "79991234567", "mccmnc": "25001", "cost": "1.40", "status": "1", "error": "0"},'
        '{"phone": "79161234567", "mccmnc": "25002", "status": null}]}'
    )
    result = decode(op, body, "application/json")
    assert result.phones == [
        PhoneInfo(phone=PHONE, mccmnc="25001", cost=Decimal("1.40"), status=1, error=0),
        PhoneInfo(phone="79161234567", mccmnc="25002"),
    ]


@pytest.mark.parametrize("cost", [1, "1", " 1"])
def test_send_with_cost_1_is_refused_in_favour_of_send_cost(cost: Any) -> None:
    # cost=1 sends nothing: a cost query is its own op, typed by its own result.
    with pytest.raises(InvalidParameter) as info:
        Send(phones=[PHONE], mes="Hi", cost=cost, fmt=1)
    assert (info.value.op, info.value.field, info.value.value) == ("send", "cost", 1)
    assert "SendCost" in str(info.value)
    assert isinstance(info.value, ValueError)
    with pytest.raises(InvalidParameter, match="SendCost") as info:
        OPS["send"].from_params({"phones": [PHONE], "mes": "Hi", "cost": cost}, 1)
    assert info.value.field == "cost"


def test_a_cost_query_is_send_cost_with_its_own_limit() -> None:
    op = SendCost(phones=[PHONE], mes="Hi", fmt=1)
    assert decode(op, "1.40,1") == SendCostResult(cost=Decimal("1.40"), cnt=1)
    limit = op.rate_limit
    assert limit is not None and limit.count == 5
    assert SendCost.rate_limit == RateLimit(5)
    plain = Send(phones=[PHONE], mes="Hi").rate_limit
    assert plain is not None and plain.count == 1
    assert Send.rate_limit == RateLimit(1)


@pytest.mark.parametrize("cost", [0, 2, 3])
def test_send_keeps_the_other_cost_values(cost: Any) -> None:
    assert Send(phones=[PHONE], mes="Hi", cost=cost).cost == cost
    assert dict(Send(phones=[PHONE], mes="Hi", cost=cost).params())["cost"] == str(cost)


def test_result_types_and_commands() -> None:
    assert Send.result_type is SendResult
    assert SendCost.result_type is SendCostResult
    assert Send(phones=[PHONE], mes="Hi").result_type is SendResult
    # Send has no command flag; SendCost's "cost" is sent as cost=1, first.
    assert Send.command is None
    assert SendCost.command == "cost"
    assert SendCost(phones=[PHONE], mes="Hi").params()[0] == ("cost", "1")
    assert all(name != "cost" for name, _ in Send(phones=[PHONE], mes="Hi").params())
    assert (Send.op_id, SendCost.op_id) == ("send", "send.cost")
    assert OPS["send"] is Send and OPS["send.cost"] is SendCost
    assert Send.idempotent is False and SendCost.idempotent is True


def test_send_cost_from_params_does_not_repeat_its_command_in_extra() -> None:
    op = SendCost.from_params({"phones": PHONE, "mes": "Hi", "cost": 1}, 0)
    # "cost" is SendCost's own command flag, implied: it is sent once, and not as extra.
    assert op.extra is None
    assert [value for name, value in op.params() if name == "cost"] == ["1"]


@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        (1, "1240,2,2.80,97.70\n79991234567,25001,1.40,1,0\n79161234567,25002,1.40,1,0"),
        (
            0,
            "OK - 2 SMS, ID - 1240, COST - 2.80, BALANCE - 97.70\n"
            "phone = 79991234567, mccmnc = 25001, cost = 1.40, status = 1, error = 0\n"
            "phone = 79161234567, mccmnc = 25002, cost = 1.40, status = 1, error = 0",
        ),
    ],
)
def test_op1_text_answers_read_one_line_per_recipient(fmt: Fmt, body: str) -> None:
    op = Send(phones=[PHONE, "79161234567"], mes="Hi", cost=3, op=1, fmt=fmt)
    result = decode(op, body)
    assert (result.id, result.cnt, result.balance) == (1240, 2, Decimal("97.70"))
    assert result.phones == [
        PhoneInfo(phone=PHONE, mccmnc="25001", cost=Decimal("1.40"), status=1, error=0),
        PhoneInfo(phone="79161234567", mccmnc="25002", cost=Decimal("1.40"), status=1, error=0),
    ]
    # Without op=1 a second line is not an answer.
    with pytest.raises(DecodeError):
        decode(Send(phones=[PHONE], mes="Hi", cost=3, fmt=fmt), body)


def test_cost_query_with_op1_lines() -> None:
    op = SendCost(phones=[PHONE], mes="Hi", op=1, fmt=1)
    result = decode(op, "1.40,1\n79991234567,25001,1.40")
    assert result.phones == [PhoneInfo(phone=PHONE, mccmnc="25001", cost=Decimal("1.40"))]


def test_call_code_is_kept_as_text() -> None:
    op = Send(phones=[PHONE], mes="code", call=1)
    assert decode(op, '{"id": 7, "cnt": 1, "code": "0012"}').code == "0012"
    assert decode(
        op.__class__(phones=[PHONE], mes="code", call=1, fmt=0), "OK - 1 SMS, ID - 7, CODE - 0012"
    ).code == ("0012")


def test_bom_and_trailing_newlines_are_ignored() -> None:
    op = Send(phones=[PHONE], mes="Hi", fmt=0)
    assert decode(op, b"\xef\xbb\xbfOK - 1 SMS, ID - 1234\r\n\r\n") == SendResult(cnt=1, id=1234)


@pytest.mark.parametrize(
    ("fmt", "body", "expected"),
    [
        (0, "1.40 (1 SMS)", SendCostResult(cost=Decimal("1.40"), cnt=1)),
        (0, "OK - 2 SMS, COST - 2.80", SendCostResult(cost=Decimal("2.80"), cnt=2)),
        (1, "1.40,1", SendCostResult(cost=Decimal("1.40"), cnt=1)),
        (2, "<result><cost>1.40</cost><cnt>1</cnt></result>", SendCostResult(cost=Decimal("1.40"), cnt=1)),
        (3, '{\n"cnt": 1,\n"cost": "1.40"\n}', SendCostResult(cost=Decimal("1.40"), cnt=1)),
    ],
)
def test_send_cost_shapes(fmt: Fmt, body: str, expected: SendCostResult) -> None:
    assert decode(SendCost(phones=[PHONE], mes="Hi", fmt=fmt), body) == expected


# -- decoding: errors ---------------------------------------------------------------------------

ERROR_CLASSES: dict[int, type[SmscError]] = {
    1: ParameterError,
    2: AuthenticationError,
    3: InsufficientFundsError,
    4: IpBlockedError,
    5: ParameterError,
    6: MessageRejectedError,
    7: MessageRejectedError,
    8: MessageRejectedError,
    9: RateLimitedError,
}


def _error_body(fmt: Fmt, code: int, message_id: int | None) -> str:
    if fmt == 0:
        return f"ERROR = {code} (description)" + ("" if message_id is None else f", ID - {message_id}")
    if fmt == 1:
        return f"{message_id or 0},-{code}"
    id_xml = "" if message_id is None else f"<id>{message_id}</id>"
    id_json = "" if message_id is None else f', "id": {message_id}'
    if fmt == 2:
        return f"<result><error>description</error><error_code>{code}</error_code>{id_xml}</result>"
    return f'{{"error": "description", "error_code": {code}{id_json}}}'


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
@pytest.mark.parametrize("code", range(1, 10))
def test_errors_map_to_their_class_and_3_6_7_8_carry_the_message_id(fmt: Fmt, code: int) -> None:
    message_id = 1234 if code in (3, 6, 7, 8) else None
    op = Send(phones=[PHONE], mes="Hi", fmt=fmt)
    with pytest.raises(SmscError) as info:
        decode(op, _error_body(fmt, code, message_id))
    error = info.value
    assert type(error) is ERROR_CLASSES[code]
    assert (error.code, error.op, error.message_id) == (code, "send", message_id)
    assert error.description == ("" if fmt == 1 else "description")


def test_string_message_id_in_errors() -> None:
    op = Send(phones=[PHONE], mes="Hi", id="order-17", fmt=0)
    with pytest.raises(MessageRejectedError) as info:
        decode(op, "ERROR = 7 (invalid number), ID - order-17")
    assert info.value.message_id == "order-17"
    with pytest.raises(MessageRejectedError) as info:
        decode(op, "order-17,-7")
    assert info.value.message_id == "order-17"


def test_plain_text_error_to_a_json_request() -> None:
    with pytest.raises(AuthenticationError) as info:
        decode(Send(phones=[PHONE], mes="Hi"), "ERROR = 2 (authorise error)", "text/html")
    assert info.value.description == "authorise error"


def test_send_cost_maps_errors_like_send() -> None:
    with pytest.raises(RateLimitedError) as info:
        decode(SendCost(phones=[PHONE], mes="Hi", fmt=1), "0,-9")
    assert info.value.op == "send.cost"


@pytest.mark.parametrize(
    "body",
    [
        "",
        "OK",
        "1871.62",
        '{"balance": "1871.62"}',
        '{"id": 1, "cn',
        '[{"id": 1, "cnt": 1}, {"id": 2, "cnt": 1}]',
        "<html><body><h1>502 Bad Gateway</h1></body></html>",
        "<!DOCTYPE html><html></html>",
        '{"id": 1, "cnt": "many"}',
        "null",
    ],
)
def test_malformed_bodies_raise_decode_error(body: str) -> None:
    with pytest.raises(DecodeError):
        decode(Send(phones=[PHONE], mes="Hi"), body)


def test_success_body_with_http_error_status_is_a_decode_error() -> None:
    op = Send(phones=[PHONE], mes="Hi")
    with pytest.raises(DecodeError):
        op.decode(HttpResponse(502, {}, b'{"id": 1, "cnt": 1}'))


@settings(max_examples=150, deadline=None)
@given(body=st.binary(max_size=200), fmt=st.sampled_from([0, 1, 2, 3]))
def test_nothing_but_api_or_decode_errors_escape(body: bytes, fmt: Fmt) -> None:
    for op in (Send(phones=[PHONE], mes="Hi", fmt=fmt), SendCost(phones=[PHONE], mes="Hi", fmt=fmt)):
        with contextlib.suppress(SmscError, DecodeError):
            op.decode(HttpResponse(200, {}, body))


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_rendered_answers_decode_back(fmt: Fmt) -> None:
    op = Send(phones=[PHONE], mes="Hi", cost=3, fmt=fmt)
    result = SendResult(cnt=2, id=77, cost=Decimal("2.80"), balance=Decimal("97.20"))
    response = op.render(result)
    assert isinstance(response, HttpResponse)
    assert (response.status, response.header("Content-Type")) == (200, CONTENT_TYPES[fmt])
    assert op.decode(response) == result
    assert op.decode_text(response.body.decode()) == result
    cost_op = SendCost(phones=[PHONE], mes="Hi", fmt=fmt)
    estimate = SendCostResult(cost=Decimal("2.80"), cnt=2)
    assert cost_op.decode(cost_op.render(estimate)) == estimate
    assert cost_op.decode_text(cost_op.render(estimate).body.decode()) == estimate


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_rendered_errors_decode_to_their_class(fmt: Fmt) -> None:
    op = Send(phones=[PHONE], mes="Hi", fmt=fmt)
    response = op.render_error(7, "invalid number", message_id=1234)
    assert (response.status, response.header("Content-Type")) == (200, CONTENT_TYPES[fmt])
    with pytest.raises(MessageRejectedError) as info:
        op.decode(response)
    assert (info.value.code, info.value.message_id) == (7, 1234)
