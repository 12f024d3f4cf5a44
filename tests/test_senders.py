"""senders.php: requests, validation and the answers the fixtures do not spell out."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from transport_support import Reply, Server, walk_pager

from smsc_proto import (
    OPS,
    Credentials,
    DecodeError,
    HttpResponse,
    InvalidParameter,
    MessageRejectedError,
    NotFoundError,
    OkResult,
    OperationFailedError,
    ParameterError,
    RateLimit,
    RateLimitedError,
    SenderPager,
)
from smsc_proto.op import Op
from smsc_proto.ops.senders import (
    SenderCreated,
    SenderName,
    SendersAdd,
    SendersCheckCode,
    SendersChg,
    SendersDel,
    SendersGet,
    SendersSendCode,
    SenderStatus,
)

PHONE = "79991234567"


def answer(op: Op[Any], body: str) -> Any:
    return op.decode(HttpResponse(200, {"Content-Type": "application/json"}, body.encode()))


def error(code: int, text: str = "x") -> str:
    return f'{{"error": "{text}", "error_code": {code}}}'


# -- requests ------------------------------------------------------------------------------


def test_add_sends_the_registration_by_its_wire_names() -> None:
    op = SendersAdd(
        sender="Shop-24",
        cmt="order notices",
        doc_info="trademark certificate",
        fio="Shop LLC",
        inn="7701234567",
        site="shop.example",
        email="admin@shop.example",
        address="Moscow",
        desc="online store",
        subj="order status",
        mega=1,
        mega_step=1,
        mts=1,
        mts_step=1,
        tele2=1,
        tele2_step=1,
        bee_step=1,
        motiv_step=1,
        ua_reg=1,
        ua_int=1,
        user="sub1",
    )
    params = dict(op.params())
    assert params.pop("add") == "1"
    assert params == {
        "user": "sub1",
        "sender": "Shop-24",
        "cmt": "order notices",
        "doc_info": "trademark certificate",
        "fio": "Shop LLC",
        "inn": "7701234567",
        "site": "shop.example",
        "email": "admin@shop.example",
        "address": "Moscow",
        "desc": "online store",
        "subj": "order status",
        **dict.fromkeys(
            ("mega", "mega_step", "mts", "mts_step", "tele2", "tele2_step", "bee_step", "motiv_step"), "1"
        ),
        "ua_reg": "1",
        "ua_int": "1",
        "fmt": "3",
        "charset": "utf-8",
    }
    assert op.request(Credentials(login="acme", psw="s3cret")).path == "/sys/senders.php"


def test_each_command_sends_its_flag_and_names() -> None:
    op = SendersGet(all=1, operators=1, from_date=dt.date(2024, 6, 1), prev_id=500, cnt=20)
    assert op.params()[:6] == [
        ("get", "1"),
        ("all", "1"),
        ("operators", "1"),
        ("from_date", "01.06.2024"),
        ("prev_id", "500"),
        ("cnt", "20"),
    ]
    assert SendersAdd(mail="news@shop.example", name="Ivan").params()[:3] == [
        ("add", "1"),
        ("mail", "news@shop.example"),
        ("name", "Ivan"),
    ]
    assert dict(SendersChg(sender="Shop", cmt="c").params())["sender"] == "Shop"
    assert SendersSendCode(sender=PHONE).params()[:2] == [("send_code", "1"), ("sender", PHONE)]
    assert SendersCheckCode(sender=PHONE, code="0042").params()[:3] == [
        ("check_code", "1"),
        ("sender", PHONE),
        ("code", "0042"),
    ]
    assert SendersDel(id=7).params()[:2] == [("del", "1"), ("id", "7")]


def test_from_params_reads_the_wire_names() -> None:
    op = OPS["senders.get"].from_params({"from_date": "01.06.2024", "all": "1", "cnt": "5"})
    assert op == SendersGet(from_date=dt.date(2024, 6, 1), all=1, cnt=5)
    chg = OPS["senders.chg"].from_params({"id": "42", "mts_step": True})
    assert chg == SendersChg(id=42, mts_step=1)


def test_another_commands_flag_cannot_ride_in_extra() -> None:
    with pytest.raises(InvalidParameter) as caught:
        SendersGet(extra={"del": "1"})
    assert caught.value.field == "extra"
    assert "senders.del" in caught.value.reason


# -- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (SendersAdd, "sender or mail"),
        (lambda: SendersAdd(sender="Shop", mail="a@example.com"), "sender or mail"),
        (lambda: SendersAdd(sender="TooLongName1"), "sender"),  # 12 characters
        (lambda: SendersAdd(sender="Shop name"), "sender"),  # a space
        (lambda: SendersAdd(sender="Магазин"), "sender"),  # not Latin
        (lambda: SendersAdd(sender=""), "sender"),
        (lambda: SendersAdd(sender="1234567890123456"), "sender"),  # 16 digits: no phone number
        (lambda: SendersAdd(sender="Shop", name="Ivan"), "name"),  # name belongs to mail
        (lambda: SendersAdd(mail="not an address"), "mail"),
        (lambda: SendersAdd(sender="Shop", email="nobody"), "email"),
        (lambda: SendersAdd(sender="Shop", mts_step=2), "mts_step"),  # type: ignore[arg-type]
        (lambda: SendersAdd(sender="Shop", fio="line\none"), "fio"),
        (lambda: SendersChg(cmt="c"), "sender or id"),
        (lambda: SendersChg(sender="Shop", id=5, cmt="c"), "sender or id"),
        (lambda: SendersChg(id=5), "cmt"),  # nothing to change
        (lambda: SendersChg(id=0, cmt="c"), "id"),
        (lambda: SendersChg(sender="Shop!", cmt="c"), "sender"),
        (lambda: SendersSendCode(sender="Shop"), "sender"),  # not a phone number
        (lambda: SendersSendCode(sender=""), "sender"),
        (lambda: SendersSendCode(sender="\uff17\uff19\uff19"), "sender"),  # full-width digits
        (lambda: SendersCheckCode(sender=PHONE, code=" "), "code"),
        (lambda: SendersCheckCode(sender="Shop", code="1234"), "sender"),
        (SendersDel, "sender or id"),
        (lambda: SendersDel(sender="Shop", id=5), "sender or id"),
        (lambda: SendersDel(id=-1), "id"),
        (lambda: SendersGet(prev_id=0), "prev_id"),
        (lambda: SendersGet(cnt=0), "cnt"),
        (lambda: SendersGet(all=2), "all"),  # type: ignore[arg-type]
        (lambda: SendersGet(from_date="31.02.2024"), "from_date"),  # type: ignore[arg-type]
    ],
)
def test_bad_input_names_the_field(build: Callable[[], object], field: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        build()
    assert caught.value.field == field


def test_what_the_spec_allows_builds() -> None:
    SendersAdd(sender="SMSC.RU")
    SendersAdd(sender="a_b-c.12345")  # 11 characters
    SendersAdd(sender="+" + PHONE)  # a digital name
    SendersAdd(sender="123456789012345")  # 15 digits
    SendersAdd(mail="news@shop.example", name="Ivan Petrov")
    SendersChg(sender="Shop", cmt="line one\nline two")  # a comment may span lines
    SendersChg(id=5, ua_int=1)
    SendersCheckCode(sender="+" + PHONE, code="0042")
    SendersDel(sender=PHONE)
    SendersGet(user="sub1")


# -- declared behaviour ----------------------------------------------------------------------

CHANGES: list[type[Op[Any]]] = [SendersAdd, SendersChg, SendersSendCode, SendersCheckCode, SendersDel]


def test_what_creates_changes_sends_checks_or_deletes_is_never_repeated_blindly() -> None:
    for cls in CHANGES:
        assert cls.idempotent is False, cls.__name__
    assert SendersGet.idempotent is True


def test_rate_limits_are_the_documented_ones() -> None:
    assert SendersGet.rate_limit == RateLimit(3)  # identical list requests
    assert SendersAdd.rate_limit == RateLimit(5, identical=False)  # create requests of any kind
    unlimited: list[type[Op[Any]]] = [SendersChg, SendersSendCode, SendersCheckCode, SendersDel]
    for cls in unlimited:
        assert cls.rate_limit is None, cls.__name__
    every: list[type[Op[Any]]] = [*CHANGES, SendersGet]
    for cls in every:
        assert cls.path == "/sys/senders.php"


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (3, NotFoundError),
        (5, OperationFailedError),
        (7, ParameterError),
        (8, MessageRejectedError),
        (10, RateLimitedError),
        (11, ParameterError),
        (1, ParameterError),
    ],
)
def test_error_codes_are_typed(code: int, cls: type[Exception]) -> None:
    with pytest.raises(cls) as caught:
        answer(SendersSendCode(sender=PHONE), error(code))
    assert type(caught.value) is cls
    assert caught.value.code == code  # type: ignore[attr-defined]


def test_error_3_is_an_empty_list_for_the_list_only() -> None:
    assert answer(SendersGet(), error(3, "record not found")) == []
    assert answer(SendersGet(fmt=1), "0,-3") == []
    others: list[Op[Any]] = [SendersDel(sender="Shop"), SendersChg(id=5, cmt="c")]
    for op in [*others, SendersSendCode(sender=PHONE)]:
        with pytest.raises(NotFoundError):
            answer(op, error(3, "record not found"))


# -- answers ---------------------------------------------------------------------------------


def test_the_add_answer_holds_the_id_in_a_member_named_sender() -> None:
    assert answer(SendersAdd(sender="Shop"), '{\n"sender": 1234\n}') == SenderCreated(id=1234)
    assert answer(SendersAdd(sender="Shop"), '{"sender": "1234"}') == SenderCreated(id=1234)
    assert answer(SendersAdd(sender="Shop", fmt=0), "ID = 5") == SenderCreated(id=5)
    assert answer(SendersAdd(sender="Shop", fmt=2), "<result><id>6</id></result>") == SenderCreated(id=6)
    with pytest.raises(DecodeError):
        answer(SendersAdd(sender="Shop"), '{"sender": "Shop"}')  # the name, not the id
    with pytest.raises(DecodeError):
        answer(SendersAdd(sender="Shop"), '{"id": 1234}')


def test_acknowledgements_are_ok_even_bare_under_fmt_3() -> None:
    for op in (SendersDel(id=5), SendersChg(id=5, cmt="c"), SendersSendCode(sender=PHONE)):
        assert answer(op, "OK") == OkResult(result="OK")
        assert answer(op, '{"result": "OK"}') == OkResult(result="OK")


def test_the_xml_list_puts_the_id_in_an_attribute() -> None:
    op = SendersGet(fmt=2)
    body = '<sender id="101">Shop</sender>\n<sender id="102">79991234567</sender>'
    assert answer(op, body) == [SenderName(id=101, sender="Shop"), SenderName(id=102, sender=PHONE)]
    assert answer(op, '<sender id="7">SMSC.RU</sender>') == [SenderName(id=7, sender="SMSC.RU")]
    # Statuses as further attributes (inferred), child elements as fields too.
    assert answer(op, '<senders><sender id="1" mts_step_status="2">A</sender></senders>') == [
        SenderName(id=1, sender="A", mts_step_status=SenderStatus.REGISTERED)
    ]
    assert answer(op, "<result><sender><id>3</id><sender>B</sender></sender></result>") == [
        SenderName(id=3, sender="B")
    ]
    assert answer(op, "<result></result>") == []
    for bad in ('<sender id="x">Shop</sender>', '<sender id="1"></sender>', "<html><body>502</body></html>"):
        with pytest.raises(DecodeError):
            answer(op, bad)


def test_the_xml_list_is_written_with_attributes() -> None:
    op = SendersGet(fmt=2)
    names = [SenderName(id=5, sender="A&B", mega_status=SenderStatus.SENT), SenderName(sender="Shop")]
    body = op.render(names).body.decode()
    lines = ['<sender id="5" mega_status="1">A&amp;B</sender>', "<sender>Shop</sender>"]
    assert body == "<result>\n" + "\n".join(lines) + "\n</result>"


def test_fmt0_names_the_sender_name_and_fmt3_may_omit_the_id() -> None:
    assert answer(SendersGet(fmt=0), "name = Shop, id = 101") == [SenderName(id=101, sender="Shop")]
    assert answer(SendersGet(), '[{"sender": "Shop"}, {"sender": 79991234567}]') == [
        SenderName(sender="Shop"),
        SenderName(sender=PHONE),
    ]
    with pytest.raises(DecodeError):
        answer(SendersGet(), '[{"id": 5}]')


def test_statuses_by_operator_and_unknown_values_kept() -> None:
    [name] = answer(
        SendersGet(all=1),
        '[{"id": 1, "sender": "A", "mts_step_status": 9, "tele2_status": 0, "tele2_int_status": 1}]',
    )
    assert name.statuses == {"mts_step": 9, "tele2": SenderStatus.AWAITING}
    assert name.mts_step_status.name == "UNKNOWN_9"


NAMES = [
    SenderName(id=101, sender="Shop"),
    SenderName(id=102, sender=PHONE, mega_step_status=SenderStatus.SENT, ua_int_status=SenderStatus(7)),
    SenderName(sender="SMSC.RU", mts_status=SenderStatus.REJECTED),
]


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_the_list_round_trips_in_every_fmt(fmt: int) -> None:
    op = SendersGet(fmt=fmt)  # type: ignore[arg-type]
    # fmt=1 has room for the name and the id only (the extended list's order is unknown).
    names = [SenderName(id=n.id, sender=n.sender) for n in NAMES] if fmt == 1 else NAMES
    assert op.decode(op.render(names)) == names
    assert op.decode(op.render([])) == []
    created = SendersAdd(sender="Shop", fmt=fmt)  # type: ignore[arg-type]
    assert created.decode(created.render(SenderCreated(id=7))) == SenderCreated(id=7)


def test_a_long_xml_list_decodes_and_a_flood_of_bare_elements_is_refused() -> None:
    op = SendersGet(fmt=2)
    names = [SenderName(id=n, sender=f"S{n}") for n in range(1, 5001)]
    assert op.decode(op.render(names)) == names
    flood = "<result>" + "<sender>1</sender>" * 10_000 + "</result>"
    with pytest.raises(DecodeError) as caught:
        answer(op, flood)
    assert "room for" in str(caught.value)


# -- paging ------------------------------------------------------------------------------------


def _names_page(*ids: int | None) -> str:
    return json.dumps([{"sender": f"Name{n}", **({"id": n} if n is not None else {})} for n in ids])


@pytest.mark.parametrize("kind", ["urllib3", "aiohttp"])
def test_the_sender_pager_walks_back_by_prev_id_with_both_clients(kind: str) -> None:
    pages = [Reply(_names_page(30, 21)), Reply(_names_page(21, 12)), Reply(_names_page(12)), Reply("[]")]
    with Server(*pages) as server:
        pager = SenderPager(cnt=2, operators=1)
        seen = [name.id for name in walk_pager(kind, pager, server.url)]
    # 21 and 12 come twice and are yielded once; the page with nothing older ends the walk.
    assert seen == [30, 21, 12]
    assert [r.form.get("prev_id") for r in server.requests] == [None, "21", "12"]
    assert all(r.form["operators"] == "1" and r.form["cnt"] == "2" for r in server.requests)
    assert pager.done and pager.pages == 3


def test_a_page_of_names_without_ids_is_the_last() -> None:
    pager = SenderPager(cnt=2)
    names = SendersGet().decode(HttpResponse(200, {}, _names_page(None, None).encode()))
    assert pager.fresh(names) == names and pager.next_op(names) is None and pager.done
    with pytest.raises(InvalidParameter, match="cnt"):
        SenderPager(cnt=0)  # checked when the pager is made, not at the first page
