"""status.php op ``status`` (spec/status.md): one id or several, all=0/1/2, HLR lines."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smsc_proto import (
    OPS,
    AuthenticationError,
    Credentials,
    DecodeError,
    DeliveryError,
    HttpResponse,
    InvalidOperation,
    IpBlockedError,
    MessageStatus,
    OkResult,
    OperationFailedError,
    ParameterError,
    RateLimitedError,
    SmscError,
    Status,
    StatusDel,
    StatusResult,
)
from smsc_proto.op import Fmt

PHONE = "79991234567"


def decode(op: Status, body: str | bytes, content_type: str = "text/plain; charset=utf-8") -> Any:
    raw = body.encode("utf-8") if isinstance(body, str) else body
    return op.decode(HttpResponse(200, {"Content-Type": content_type}, raw))


def single(fmt: Fmt = 3, all_: int | None = None) -> Status:
    return OPS["status"].from_params({"phone": [PHONE], "id": [1234], "all": all_}, fmt)  # type: ignore[return-value]


# -- request ------------------------------------------------------------------------------------


def test_params_join_phones_and_ids_in_order() -> None:
    op = Status(phone=[PHONE, "79161234567"], id=[1234, "order-17"], all=2, fmt=1)
    assert op.params() == [
        ("phone", "79991234567,79161234567"),
        ("id", "1234,order-17"),
        ("all", "2"),
        ("fmt", "1"),
        ("charset", "utf-8"),
    ]
    request = op.request(Credentials(apikey="k"))
    assert (request.method, request.path) == ("POST", "/sys/status.php")


def test_from_params_accepts_comma_strings() -> None:
    op = OPS["status"].from_params({"phone": "79991234567,79161234567", "id": "1,2"}, 0)
    assert dict(op.params())["id"] == "1,2"
    assert isinstance(op, Status) and op.many


@pytest.mark.parametrize(
    ("params", "field", "shown"),
    [
        ({"phone": [PHONE, "79161234567"], "id": [1]}, "phone", "1 ids, 2 phones"),
        ({"phone": [PHONE], "id": [1, 2]}, "phone", "2 ids, 1 phones"),
        ({"phone": [], "id": [1]}, "phone", "[]"),
        ({"phone": [PHONE], "id": []}, "id", "[]"),
        ({"phone": [" "], "id": [1]}, "phone", "' '"),
        ({"phone": [PHONE], "id": [0]}, "id", "0"),
        ({"phone": [PHONE], "id": ["no spaces"]}, "id", "no spaces"),
        ({"phone": [PHONE], "id": [1], "all": 3}, "all", "3"),
        ({"id": [1]}, "phone", ""),
    ],
)
def test_invalid_parameters_name_the_field(params: dict[str, Any], field: str, shown: str) -> None:
    with pytest.raises(InvalidOperation) as info:
        OPS["status"].from_params(params, 0)
    assert info.value.field == field
    assert shown in str(info.value)


def test_rate_limit_depends_on_single_or_mass_request() -> None:
    assert single().limit().count == 5
    mass = Status(phone=[PHONE, PHONE], id=[1, 2]).limit()
    assert (mass.count, mass.identical) == (1, False)


# -- decoding: single id ------------------------------------------------------------------------

WHEN = dt.datetime(2016, 10, 18, 15, 34, 12)


@pytest.mark.parametrize(
    ("fmt", "body", "expected"),
    [
        (
            0,
            "Status = 1, check_time = 18.10.2016 15:34:12, err = 0",
            StatusResult(status=MessageStatus.DELIVERED, last_date=WHEN, err=DeliveryError.NONE),
        ),
        (
            1,
            "1,1476794052,0",
            StatusResult(status=MessageStatus.DELIVERED, last_timestamp=1476794052, err=DeliveryError.NONE),
        ),
        (
            2,
            "<sms>\n<status>3</status>\n<last_date>18.10.2016 15:34:12</last_date>\n"
            "<last_timestamp>1476794052</last_timestamp>\n<flag>0</flag>\n<err>6</err>\n</sms>",
            StatusResult(
                status=MessageStatus.EXPIRED,
                last_date=WHEN,
                last_timestamp=1476794052,
                flag=0,
                err=DeliveryError.OFFLINE,
            ),
        ),
        (
            3,
            '{\n"status": 1,\n"last_date": "18.10.2016 15:34:12",\n"last_timestamp": 1476794052\n}',
            StatusResult(status=MessageStatus.DELIVERED, last_date=WHEN, last_timestamp=1476794052),
        ),
        (1, "-1,0,0", StatusResult(status=MessageStatus.WAITING, last_timestamp=0, err=DeliveryError.NONE)),
        (
            3,
            '{"status": -3, "last_date": "", "last_timestamp": 0}',
            StatusResult(status=MessageStatus.NOT_FOUND, last_timestamp=0),
        ),
        (0, "Status = 0, check_time = 00.00.0000 00:00:00", StatusResult(status=MessageStatus.TRANSFERRED)),
    ],
)
def test_all0_shapes(fmt: Fmt, body: str, expected: StatusResult) -> None:
    assert decode(single(fmt), body) == expected


def test_recorded_answer_without_flag_and_err_leaves_them_unset() -> None:
    result = decode(
        single(3), '{\n"status": 1,\n"last_date": "18.10.2016 15:34:12",\n"last_timestamp": 1476794052\n}'
    )
    assert result.err is None and result.flag is None
    assert result.last_time == dt.datetime(2016, 10, 18, 12, 34, 12, tzinfo=dt.UTC)


def test_unknown_codes_are_kept_as_integers() -> None:
    result = decode(single(1), "27,1476794052,231")
    assert result.status == 27 and result.status.name == "UNKNOWN_27"
    assert result.err == 231


def test_all1_fmt0_keeps_commas_and_equals_in_the_message() -> None:
    body = (
        "Status = 1, check_time = 18.10.2016 15:34:12, err = 0, send_date = 18.10.2016 15:34:05, "
        "phone = 79991234567, cost = 1.40, sender_id = SMSC.RU, status_name = Delivered, "
        "message = Hi, a = b, c, comment = , type = 0"
    )
    result = decode(single(0, 1), body)
    assert result.message == "Hi, a = b, c"
    assert result.cost == Decimal("1.40")
    assert result.send_date == dt.datetime(2016, 10, 18, 15, 34, 5)
    assert result.type == 0


def test_all1_fmt1_message_is_the_rest_of_the_line() -> None:
    result = decode(single(1, 1), "1,1476794052,0,1476794045,79991234567,1.40,SMSC.RU,Delivered,Hi, you, 2,x")
    assert (result.sender_id, result.status_name, result.message) == ("SMSC.RU", "Delivered", "Hi, you, 2,x")
    assert result.send_timestamp == 1476794045


def test_all1_fmt1_splits_a_trailing_comment_and_type() -> None:
    line = "1,1476794052,0,1476794045,79991234567,1.40,SMSC.RU,Delivered,Hello, world, order 17,3"
    result = decode(single(1, 1), line)
    assert (result.message, result.comment, result.type) == ("Hello, world", "order 17", 3)
    # The older layout ends at the message; a text that merely holds commas stays whole.
    result = decode(single(1, 1), "1,1,0,1,79991234567,1.40,S,Delivered,Hi,you,3")
    assert (result.message, result.comment, result.type) == ("Hi,you,3", None, None)


def test_all2_fmt1_puts_country_operator_region_before_sender() -> None:
    line = "1,1476794052,0,1476794045,79991234567,1.40,Russia,MegaFon,Moscow,SMSC.RU,Delivered,Hi"
    result = decode(single(1, 2), line)
    assert (result.country, result.operator, result.region, result.sender_id) == (
        "Russia",
        "MegaFon",
        "Moscow",
        "SMSC.RU",
    )


def test_all2_fmt3_one_element_array_gives_one_result() -> None:
    body = '[{"id": 1234, "status": 1, "cost": "1.90", "country": "Россия", "operator": "МегаФон"}]'
    result = decode(single(3, 2), body, "application/json")
    assert isinstance(result, StatusResult)
    assert (result.id, result.country, result.cost) == (1234, "Россия", Decimal("1.90"))


def test_hlr_lines_in_fmt1() -> None:
    hlr = "1,1476794052,0,250010123456789,79168999100,250,01,Russia,MTS,,"
    result = decode(single(1), hlr)
    assert (result.imsi, result.mcc, result.mnc, result.net, result.rcn) == (
        "250010123456789",
        "250",
        "01",
        "MTS",
        "",
    )
    line = hlr + ",1476794045,79991234567,0.20,HLR,Delivered,"
    result = decode(single(1, 1), line)
    assert (result.sender_id, result.phone, result.imsi) == ("HLR", PHONE, "250010123456789")


def test_windows_1251_status_name() -> None:
    line = "1,1476794052,0,1476794045,79991234567,1.40,SMSC.RU,Доставлено,Тест"
    result = decode(single(1, 1), line.encode("cp1251"), "text/plain; charset=windows-1251")
    assert result.status_name == "Доставлено"
    result = decode(single(1, 1), line.encode("cp1251"), "text/plain")
    assert result.message == "Тест"


def test_xml_single_status_wrapped_in_result() -> None:
    result = decode(single(2), "<result><sms><status>1</status><err>0</err></sms></result>")
    assert result == StatusResult(status=MessageStatus.DELIVERED, err=DeliveryError.NONE)


# -- decoding: several ids --------------------------------------------------------------------


def many(fmt: Fmt, all_: int = 0) -> Status:
    return Status(phone=[PHONE, "79161234567"], id=[1234, 1235], all=all_, fmt=fmt)  # type: ignore[arg-type]


def test_multi_fmt1_one_record_per_line() -> None:
    results = decode(many(1), "1,1476794052,0,1234,79991234567\n3,1476880452,6,1235,79161234567\n")
    assert [(r.id, r.phone, r.status, r.err) for r in results] == [
        (1234, PHONE, 1, 0),
        (1235, "79161234567", 3, 6),
    ]


def test_multi_fmt3_array_and_fmt2_items() -> None:
    results = decode(many(3), '[{"id": 1234, "status": 1}, {"id": "1235", "status": -1}]')
    assert [(r.id, r.status) for r in results] == [(1234, 1), (1235, -1)]
    results = decode(
        many(2),
        "<result><sms><id>1234</id><status>1</status></sms><sms><id>1235</id><status>0</status></sms></result>",
    )
    assert [r.id for r in results] == [1234, 1235]


def test_multi_all1_message_with_commas_and_trailing_id() -> None:
    body = "1,1,0,1,79991234567,1.40,S,Delivered,Hi, you,1234\n1,1,0,1,79161234567,1.40,S,Delivered,Bye,1235"
    results = decode(many(1, 1), body)
    assert [(r.message, r.id) for r in results] == [("Hi, you", 1234), ("Bye", 1235)]


@pytest.mark.parametrize(("fmt", "body"), [(1, "0,-9"), (3, '{"error": "too many", "error_code": 9}')])
def test_multi_request_error_is_one_envelope(fmt: Fmt, body: str) -> None:
    with pytest.raises(RateLimitedError):
        decode(many(fmt), body)


# -- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (1, ParameterError),
        (2, AuthenticationError),
        (4, IpBlockedError),
        (5, OperationFailedError),
        (9, RateLimitedError),
    ],
)
@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_errors_map_to_their_class(code: int, cls: type[SmscError], fmt: Fmt) -> None:
    body = {
        0: f"ERROR = {code} (text)",
        1: f"0,-{code}",
        2: f"<result><error>text</error><error_code>{code}</error_code></result>",
        3: f'{{"error": "text", "error_code": {code}}}',
    }[fmt]
    with pytest.raises(SmscError) as info:
        decode(single(fmt), body)
    assert type(info.value) is cls
    assert (info.value.code, info.value.op, info.value.message_id) == (code, "status", None)


@pytest.mark.parametrize(
    "body",
    [
        "",
        '{"balance": "1.00"}',
        "delivered,yesterday",
        "Status = 1, check_time = 31.02.2016 25:61:00, err = 0",
        '{"status": 1, "last_da',
        "<html><body>oops</body></html>",
        '[{"status": 1}, {"status": 2}]',
        "OK",
    ],
)
def test_malformed_bodies_raise_decode_error(body: str) -> None:
    with pytest.raises(DecodeError):
        decode(single(3), body)


@settings(max_examples=150, deadline=None)
@given(body=st.text(alphabet=st.sampled_from('0123456789,-= \nStatusERO<>/sms{}[]":abc.'), max_size=120))
def test_nothing_but_api_or_decode_errors_escape(body: str) -> None:
    for op in (single(0, 1), single(1, 2), many(1), many(3, 1)):
        with contextlib.suppress(SmscError, DecodeError):
            op.decode_text(body)


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
@pytest.mark.parametrize("all_", [0, 1, 2])
def test_rendered_answers_decode_back(fmt: Fmt, all_: int) -> None:
    op = single(fmt, all_)
    # Every field of the fmt's layout is set: an empty CSV field reads back as "", not None.
    details: dict[str, Any] = {
        "send_timestamp": 1476794045,
        "send_date": dt.datetime(2016, 10, 18, 15, 34, 5),
        "phone": PHONE,
        "cost": Decimal("1.40"),
        "sender_id": "SMSC.RU",
        "status_name": "Delivered",
        "message": "Hi, you",
    }
    if all_ == 2:
        details.update(country="Russia", operator="MegaFon", region="Moscow")
    if fmt == 1:
        details.pop("send_date")
    if fmt == 0:
        details.pop("send_timestamp")
    result = StatusResult(
        status=MessageStatus.DELIVERED,
        last_date=WHEN if fmt != 1 else None,
        last_timestamp=1476794052 if fmt else None,
        err=DeliveryError.NONE,
        **(details if all_ else {}),
    )
    assert op.decode_text(op.render(result)) == result


# -- status.del -----------------------------------------------------------------------------


def test_status_del_sends_del_1_and_reads_ok_in_any_form() -> None:
    op = OPS["status.del"].from_params({"phone": PHONE, "id": 42}, 3)
    assert isinstance(op, StatusDel)
    assert op.params()[:3] == [("del", "1"), ("phone", PHONE), ("id", "42")]
    for body in ("OK", '{"result": "OK"}', "<result>OK</result>"):
        assert op.decode_text(body) == OkResult(result="OK")


def test_status_del_error_5_and_validation() -> None:
    op = StatusDel(phone=[PHONE], id=[42], fmt=0)
    with pytest.raises(OperationFailedError) as info:
        op.decode_text("ERROR = 5 (error deleting message)")
    assert info.value.op == "status.del"
    with pytest.raises(InvalidOperation) as bad:
        StatusDel(phone=[PHONE, PHONE], id=[42])
    assert bad.value.field == "phone"
    with pytest.raises(DecodeError):
        op.decode_text('{"status": 1}')
