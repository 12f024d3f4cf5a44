"""status.php ops ``status`` and ``status.del`` (spec/status.md): ``Status`` for one message,
``StatusBatch`` for several, all=0/1/2, HLR lines."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from smsc_proto import (
    OPS,
    AuthenticationError,
    Credentials,
    DecodeError,
    DeliveryError,
    HttpResponse,
    InvalidParameter,
    IpBlockedError,
    MessageStatus,
    OkResult,
    OperationFailedError,
    ParameterError,
    RateLimitedError,
    SmscError,
    Status,
    StatusBatch,
    StatusDel,
    StatusResult,
)
from smsc_proto.op import CONTENT_TYPES, Fmt, Op
from smsc_proto.ratelimit import RateLimit

PHONE = "79991234567"


def decode(op: Op[Any], body: str | bytes, content_type: str = "text/plain; charset=utf-8") -> Any:
    raw = body.encode("utf-8") if isinstance(body, str) else body
    return op.decode(HttpResponse(200, {"Content-Type": content_type}, raw))


def single(fmt: Fmt = 3, all_: int | None = None) -> Status:
    # Fixtures give one message's phone and id as lists of one: that is still one message.
    op = OPS["status"].from_params({"phone": [PHONE], "id": [1234], "all": all_}, fmt)
    assert type(op) is Status
    return op


# -- request ------------------------------------------------------------------------------------


def test_params_join_phones_and_ids_in_order() -> None:
    op = StatusBatch(phone=[PHONE, "79161234567"], id=[1234, "order-17"], all=2, fmt=1)
    assert op.params() == [
        ("phone", "79991234567,79161234567"),
        ("id", "1234,order-17"),
        ("all", "2"),
        ("fmt", "1"),
        ("charset", "utf-8"),
    ]
    request = op.request(Credentials(apikey="k"))
    assert (request.method, request.path) == ("POST", "/sys/status.php")


def test_single_status_params() -> None:
    op = Status(phone=PHONE, id="order-17", all=1, fmt=0)
    assert op.params() == [
        ("phone", PHONE),
        ("id", "order-17"),
        ("all", "1"),
        ("fmt", "0"),
        ("charset", "utf-8"),
    ]
    request = op.request(Credentials(apikey="k"))
    assert (request.method, request.path) == ("POST", "/sys/status.php")


def test_from_params_accepts_comma_strings() -> None:
    op = OPS["status"].from_params({"phone": "79991234567,79161234567", "id": "1,2"}, 0)
    assert dict(op.params())["id"] == "1,2"
    assert dict(op.params())["phone"] == "79991234567,79161234567"
    assert type(op) is StatusBatch
    assert op.result_type == list[StatusResult]


# -- Status and StatusBatch: types and dispatch ---------------------------------------------


def test_result_types_and_op_ids() -> None:
    assert Status.result_type is StatusResult
    assert StatusBatch.result_type == list[StatusResult]
    assert StatusDel.result_type is OkResult
    assert Status.op_id == StatusBatch.op_id == "status"
    assert StatusDel.op_id == "status.del"
    assert Status.path == StatusBatch.path == StatusDel.path == "/sys/status.php"
    # The registry builds "status" fixtures with Status, which hands several ids on to StatusBatch.
    assert OPS["status"] is Status
    assert OPS["status.del"] is StatusDel


def test_commands() -> None:
    assert Status.command is None and StatusBatch.command is None
    assert StatusDel.command == "del"
    assert Status(phone=PHONE, id=1).params()[0] == ("phone", PHONE)
    assert StatusBatch(phone=[PHONE], id=[1]).params()[0] == ("phone", PHONE)
    assert StatusDel(phone=PHONE, id=1).params()[0] == ("del", "1")
    assert [name for name, _ in StatusDel(phone=PHONE, id=1).params()].count("del") == 1


@pytest.mark.parametrize(
    "params",
    [
        {"phone": [PHONE, "79161234567"], "id": [1, 2]},
        {"phone": "79991234567,79161234567", "id": "1,2"},
        {"phone": "79991234567;79161234567", "id": "1; 2"},
        {"phone": (PHONE, "79161234567"), "id": (1, 2)},
        {"phone": [PHONE], "id": [1, 2, 3]},
        {"phone": PHONE, "id": "1,2,3"},
    ],
)
def test_from_params_with_several_ids_is_a_batch(params: dict[str, Any]) -> None:
    op = Status.from_params(params, 1)
    assert type(op) is StatusBatch
    assert op.fmt == 1
    assert len(op.id) == len(str(dict(op.params())["id"]).split(","))
    assert OPS["status"].from_params(params, 1) == op


@pytest.mark.parametrize(
    ("params", "id_"),
    [
        ({"phone": [PHONE], "id": [1234]}, 1234),
        ({"phone": PHONE, "id": 1234}, 1234),
        ({"phone": PHONE, "id": "order-17"}, "order-17"),
        ({"phone": [PHONE], "id": ["order-17"]}, "order-17"),
        ({"phone": (PHONE,), "id": (1234,)}, 1234),
    ],
)
def test_from_params_with_one_id_is_one_status(params: dict[str, Any], id_: int | str) -> None:
    op = Status.from_params(params, 2)
    assert type(op) is Status
    assert (op.phone, op.id, op.fmt) == (PHONE, id_, 2)
    assert dict(op.params())["id"] == str(id_)


def test_from_params_with_id_text_gives_the_documented_batch() -> None:
    # The Status.from_params docstring: "7,8" is StatusBatch(phone=('79991234567',), id=(7, 8)).
    op = Status.from_params({"phone": PHONE, "id": "7,8"})
    assert type(op) is StatusBatch
    assert op.phone == (PHONE,)
    assert op.id == (7, 8)


def test_a_batch_may_give_one_phone_for_every_id() -> None:
    op = StatusBatch(phone=[PHONE], id=[1, 2, "order-17"])
    assert dict(op.params())["phone"] == PHONE
    assert dict(op.params())["id"] == "1,2,order-17"
    assert list(op.id) == [1, 2, "order-17"]
    # So may fixtures, through Status.from_params.
    assert type(Status.from_params({"phone": PHONE, "id": "1,2"})) is StatusBatch


def test_a_batch_of_one_id_is_allowed() -> None:
    op = StatusBatch(phone=[PHONE], id=[1234], fmt=1)
    assert dict(op.params())["id"] == "1234"
    assert StatusBatch.result_type == list[StatusResult]


@pytest.mark.parametrize(
    ("params", "field", "shown"),
    [
        ({"phone": [PHONE, "79161234567"], "id": [1]}, "phone", "79161234567"),
        ({"phone": [PHONE, "79161234567"], "id": [1, 2, 3]}, "phone", "one phone per id"),
        ({"phone": [PHONE, PHONE, PHONE], "id": "1,2"}, "phone", "one phone per id"),
        ({"phone": [PHONE, " "], "id": [1, 2]}, "phone", "' '"),
        ({"phone": [PHONE], "id": [1, 0]}, "id", "0"),
        ({"phone": [PHONE], "id": [1, "no spaces"]}, "id", "no spaces"),
        ({"phone": [PHONE], "id": [1, 2], "all": 3}, "all", "3"),
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
    with pytest.raises(InvalidParameter) as info:
        OPS["status"].from_params(params, 0)
    assert info.value.field == field
    assert info.value.op == "status"
    assert shown in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "field", "shown"),
    [
        ({"phone": [PHONE, "79161234567"], "id": [1]}, "phone", "one phone per id"),
        ({"phone": [], "id": [1]}, "phone", "[]"),
        ({"phone": [PHONE], "id": []}, "id", "[]"),
        ({"phone": ["7999,7916"], "id": [1, 2]}, "phone", "7999,7916"),
    ],
)
def test_invalid_batches_name_the_field(kwargs: dict[str, Any], field: str, shown: str) -> None:
    with pytest.raises(InvalidParameter) as info:
        StatusBatch(**kwargs)
    assert (info.value.op, info.value.field) == ("status", field)
    assert shown in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"phone": [PHONE], "id": 1}, "phone"),
        ({"phone": PHONE, "id": [1, 2]}, "id"),
        ({"phone": "", "id": 1}, "phone"),
        ({"phone": PHONE, "id": 0}, "id"),
        ({"phone": PHONE, "id": 1, "all": 3}, "all"),
    ],
)
def test_invalid_single_status_names_the_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidParameter) as info:
        Status(**kwargs)
    assert (info.value.op, info.value.field) == ("status", field)


def test_rate_limit_depends_on_single_or_mass_request() -> None:
    assert single().rate_limit == RateLimit(5)
    limit = Status.rate_limit
    assert limit is not None and (limit.count, limit.identical) == (5, True)
    mass = StatusBatch(phone=[PHONE, PHONE], id=[1, 2]).rate_limit
    assert mass is not None and (mass.count, mass.identical) == (1, False)
    assert StatusBatch.rate_limit == RateLimit(1, identical=False)
    dispatched = Status.from_params({"phone": PHONE, "id": "1,2"})
    assert dispatched.rate_limit == RateLimit(1, identical=False)


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


def many(fmt: Fmt, all_: int = 0) -> StatusBatch:
    return StatusBatch(phone=[PHONE, "79161234567"], id=[1234, 1235], all=all_, fmt=fmt)  # type: ignore[arg-type]


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


@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        (0, "Status = 1, check_time = 18.10.2016 15:34:12, err = 0"),
        (1, "1,1476794052,0"),
        (2, "<sms><status>1</status><err>0</err></sms>"),
        (2, "<result><sms><status>1</status><err>0</err></sms></result>"),
        (3, '{"status": 1, "last_timestamp": 1476794052}'),
        (3, '[{"status": 1, "last_timestamp": 1476794052}]'),
    ],
)
def test_a_batch_of_one_id_returns_a_one_element_list(fmt: Fmt, body: str) -> None:
    # One id is answered in the single shape; a batch still gives a list.
    results = decode(StatusBatch(phone=[PHONE], id=[1234], fmt=fmt), body)
    assert isinstance(results, list) and len(results) == 1
    assert results[0].status == MessageStatus.DELIVERED
    # The same body to a Status is the bare result.
    assert decode(Status(phone=PHONE, id=1234, fmt=fmt), body) == results[0]


def test_a_batch_with_one_phone_for_several_ids_decodes_each_id() -> None:
    op = StatusBatch(phone=[PHONE], id=[1234, 1235], fmt=1)
    results = decode(op, "1,1476794052,0,1234,79991234567\n-3,0,0,1235,79991234567")
    assert [(r.id, r.phone, r.status) for r in results] == [
        (1234, PHONE, MessageStatus.DELIVERED),
        (1235, PHONE, MessageStatus.NOT_FOUND),
    ]


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


def rendered_result(fmt: Fmt, all_: int, **members: Any) -> StatusResult:
    """A result with every field of the fmt's layout set: an empty CSV field reads back as
    "", not None."""
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
    fields: dict[str, Any] = {
        "status": MessageStatus.DELIVERED,
        "last_date": WHEN if fmt != 1 else None,
        "last_timestamp": 1476794052 if fmt else None,
        "err": DeliveryError.NONE,
        **(details if all_ else {}),
        **members,
    }
    return StatusResult(**fields)


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
@pytest.mark.parametrize("all_", [0, 1, 2])
def test_rendered_answers_decode_back(fmt: Fmt, all_: int) -> None:
    op = single(fmt, all_)
    result = rendered_result(fmt, all_)
    response = op.render(result)
    assert (response.status, response.header("Content-Type")) == (200, CONTENT_TYPES[fmt])
    assert op.decode(response) == result
    assert op.decode_text(response.body.decode()) == result


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
@pytest.mark.parametrize("all_", [0, 1, 2])
def test_rendered_batches_decode_back(fmt: Fmt, all_: int) -> None:
    op = many(fmt, all_)
    results = [
        rendered_result(fmt, all_, id=1234, phone=PHONE),
        rendered_result(fmt, all_, id=1235, phone="79161234567", status=MessageStatus.EXPIRED),
    ]
    response = op.render(results)
    assert (response.status, response.header("Content-Type")) == (200, CONTENT_TYPES[fmt])
    assert op.decode(response) == results


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_a_rendered_batch_of_one_decodes_back(fmt: Fmt) -> None:
    op = StatusBatch(phone=[PHONE], id=[1234], fmt=fmt)
    results = [
        StatusResult(
            status=MessageStatus.DELIVERED,
            last_timestamp=1476794052 if fmt else None,
            last_date=None if fmt else WHEN,
            err=DeliveryError.NONE,
        )
    ]
    response = op.render(results)
    assert (response.status, response.header("Content-Type")) == (200, CONTENT_TYPES[fmt])
    assert op.decode(response) == results


# -- status.del -----------------------------------------------------------------------------


def test_status_del_sends_del_1_and_reads_ok_in_any_form() -> None:
    op = OPS["status.del"].from_params({"phone": PHONE, "id": 42}, 3)
    assert isinstance(op, StatusDel)
    assert op.params()[:3] == [("del", "1"), ("phone", PHONE), ("id", "42")]
    for body in ("OK", '{"result": "OK"}', "<result>OK</result>"):
        assert op.decode_text(body) == OkResult(result="OK")
    assert StatusDel.rate_limit == RateLimit(5)
    assert StatusDel.idempotent is True


def test_status_del_from_params_unwraps_lists_of_one() -> None:
    op = StatusDel.from_params({"phone": [PHONE], "id": [42], "del": 1}, 0)
    assert op == StatusDel(phone=PHONE, id=42, fmt=0)
    assert op.extra is None  # its own command flag is implied, not extra


def test_status_del_error_5_and_validation() -> None:
    op = StatusDel(phone=PHONE, id=42, fmt=0)
    with pytest.raises(OperationFailedError) as info:
        op.decode_text("ERROR = 5 (error deleting message)")
    assert info.value.op == "status.del"
    with pytest.raises(InvalidParameter) as bad:
        StatusDel(phone=[PHONE, PHONE], id=42)  # type: ignore[arg-type]
    assert (bad.value.op, bad.value.field) == ("status.del", "phone")
    with pytest.raises(InvalidParameter) as bad:
        StatusDel.from_params({"phone": [PHONE, PHONE], "id": [42]})
    assert bad.value.field == "phone"
    with pytest.raises(InvalidParameter) as bad:
        StatusDel.from_params({"phone": PHONE, "id": [42, 43]})
    assert bad.value.field == "id"
    with pytest.raises(InvalidParameter) as bad:
        StatusDel.from_params({"phone": PHONE})
    assert (bad.value.field, bad.value.reason) == ("id", "is required")
    with pytest.raises(DecodeError):
        op.decode_text('{"status": 1}')
