"""phones.php: requests, validation and the answers the fixtures do not spell out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from smsc_proto import (
    OPS,
    HttpResponse,
    InvalidParameter,
    NotFoundError,
    OkResult,
    OperationFailedError,
    RateLimit,
)
from smsc_proto.op import Op
from smsc_proto.ops.phones import (
    BlacklistEntryCreated,
    BlockType,
    Contact,
    ContactCreated,
    ContactGroup,
    GroupCreated,
    GroupMove,
    GroupType,
    PhonesAdd,
    PhonesAddBlack,
    PhonesAddGroup,
    PhonesChg,
    PhonesChgGroup,
    PhonesDel,
    PhonesDelBlack,
    PhonesDelGroup,
    PhonesGet,
    PhonesGetGroup,
    PhonesMoveGroup,
)

PHONE = "79991234567"
NOT_FOUND = b'{"error": "record not found", "error_code": 3}'


def answer(op: Op[Any], body: bytes | str) -> Any:
    raw = body.encode() if isinstance(body, str) else body
    return op.decode(HttpResponse(200, {"Content-Type": "application/json"}, raw))


# -- requests ------------------------------------------------------------------------------


def test_add_sends_the_contact_fields_by_their_request_names() -> None:
    op = PhonesAdd(
        phone=PHONE,
        name="Ivan Petrov",
        grp=[12, 15],
        fnm="Ivan",
        lnm="Petrov",
        mnm="Sergeevich",
        bd=dt.date(1983, 7, 17),
        myid=100500,
        cmt="met at the fair",
        tags="vip, moscow",
        pho=["79161234567", "+79261234567"],
    )
    assert dict(op.params()) == {
        "add": "1",
        "phone": PHONE,
        "name": "Ivan Petrov",
        "grp": "12,15",
        "fnm": "Ivan",
        "lnm": "Petrov",
        "mnm": "Sergeevich",
        "bd": "17.07.1983",
        "myid": "100500",
        "cmt": "met at the fair",
        "tags": "vip, moscow",
        "pho": "79161234567,+79261234567",
        "fmt": "3",
        "charset": "utf-8",
    }


def test_from_params_reads_the_wire_names() -> None:
    op = OPS["phones.add"].from_params({"phone": PHONE, "name": "N", "grp": "12;15", "bd": "17.07.1983"})
    assert isinstance(op, PhonesAdd)
    assert (op.grp, op.bd) == ((12, 15), dt.date(1983, 7, 17))


def test_move_group_sends_its_mode_as_the_command_flag_once() -> None:
    for mode in GroupMove:
        params = PhonesMoveGroup(move_group=mode, phone=PHONE, grp=25).params()
        assert [value for name, value in params if name == "move_group"] == [str(int(mode))]
        assert params[0] == ("move_group", str(int(mode)))
    op = OPS["phones.move_group"].from_params({"move_group": "3", "phone": PHONE, "grp": 25})
    assert op == PhonesMoveGroup(move_group=GroupMove.REMOVE, phone=PHONE, grp=25)


def test_type_and_mail_are_sent_as_named() -> None:
    assert dict(PhonesAddBlack(phone=PHONE, type=BlockType.SINGLE).params())["type"] == "2"
    assert dict(PhonesAddGroup(name="News", type=GroupType.EMAILS).params())["type"] == "1"
    params = dict(PhonesChg(mail="a@example.com", new_mail="b@example.com").params())
    assert (params["mail"], params["new_mail"]) == ("a@example.com", "b@example.com")
    assert "phone" not in params


def test_another_commands_flag_cannot_ride_in_extra() -> None:
    with pytest.raises(InvalidParameter) as caught:
        PhonesDel(phone=PHONE, extra={"move_group": "1"})
    assert caught.value.field == "extra"
    assert "phones.move_group" in caught.value.reason


# -- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: PhonesAdd(phone=PHONE, name=""), "name"),
        (lambda: PhonesAdd(name="N"), "phone or mail"),
        (lambda: PhonesAdd(phone=PHONE, mail="a@example.com", name="N"), "phone or mail"),
        (lambda: PhonesAdd(phone="+7 999 123-45-67", name="N"), "phone"),
        (lambda: PhonesAdd(mail="not an address", name="N"), "mail"),
        (lambda: PhonesAdd(phone=PHONE, name="N", grp=[12, 0]), "grp"),
        (lambda: PhonesAdd(phone=PHONE, name="N", myid=0), "myid"),
        (lambda: PhonesAdd(phone=PHONE, name="N", pho=["79161234567", "n/a"]), "pho"),
        (lambda: PhonesAdd(phone=PHONE, name="N", bd="31.02.1983"), "bd"),  # type: ignore[arg-type]
        (lambda: PhonesChg(phone=PHONE), "new_phone"),
        (lambda: PhonesChg(phone=PHONE, new_phone="8(800)"), "new_phone"),
        (lambda: PhonesChg(new_phone=PHONE), "phone or mail"),
        (PhonesDel, "phone or mail"),
        (lambda: PhonesDel(phone="\uff17\uff19\uff19"), "phone"),  # full-width digits
        (lambda: PhonesMoveGroup(move_group=4, phone=PHONE, grp=1), "move_group"),  # type: ignore[arg-type]
        (lambda: PhonesMoveGroup(move_group=GroupMove.ADD, phone=PHONE, grp=0), "grp"),
        (lambda: PhonesGet(grp=0), "grp"),
        (lambda: PhonesGet(after_id=-1), "after_id"),
        (lambda: PhonesGet(phone="Ivan"), "phone"),
        (lambda: PhonesAddGroup(name=""), "name"),
        (lambda: PhonesAddGroup(name="N", num=-1), "num"),
        (lambda: PhonesAddGroup(name="N", type=2), "type"),  # type: ignore[arg-type]
        (lambda: PhonesChgGroup(grp=5), "name"),
        (lambda: PhonesChgGroup(grp=5, name=""), "name"),
        (lambda: PhonesChgGroup(grp=0, name="N"), "grp"),
        (lambda: PhonesDelGroup(grp=-1), "grp"),
        (lambda: PhonesAddBlack(phone=""), "phone"),
        (lambda: PhonesAddBlack(phone=PHONE, type=3), "type"),  # type: ignore[arg-type]
        (lambda: PhonesDelBlack(phone="G12"), "phone"),
    ],
)
def test_bad_input_names_the_field(build: Callable[[], object], field: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        build()
    assert caught.value.field == field


def test_what_the_spec_allows_builds() -> None:
    PhonesAdd(mail="ivan@example.com", name="Ivan")
    PhonesChg(phone=PHONE, name="Ivan P.")
    PhonesChgGroup(grp=5, num=0)
    PhonesGet(after_id=0, fio="Petrov", search="vip")
    PhonesAddBlack(phone="+" + PHONE)


# -- declared behaviour ----------------------------------------------------------------------

CHANGES: list[type[Op[Any]]] = [
    PhonesAdd,
    PhonesAddGroup,
    PhonesChg,
    PhonesChgGroup,
    PhonesMoveGroup,
    PhonesDel,
    PhonesDelGroup,
    PhonesAddBlack,
    PhonesDelBlack,
]


def test_what_creates_changes_moves_or_deletes_is_never_repeated_blindly() -> None:
    for cls in CHANGES:
        assert not cls.idempotent, cls.__name__
    assert PhonesGet.idempotent and PhonesGetGroup.idempotent


def test_every_op_has_the_three_identical_requests_limit() -> None:
    every: list[type[Op[Any]]] = [*CHANGES, PhonesGet, PhonesGetGroup]
    for cls in every:
        assert cls.rate_limit == RateLimit(3), cls.__name__
        assert cls.path == "/sys/phones.php"


def test_error_3_is_an_empty_list_for_the_lists_only() -> None:
    assert answer(PhonesGet(), NOT_FOUND) == []
    assert answer(PhonesGetGroup(fmt=0), "ERROR = 3 (record not found)") == []
    for op in (
        PhonesDel(phone=PHONE),
        PhonesDelGroup(grp=5),
        PhonesDelBlack(phone=PHONE),
        PhonesChg(phone=PHONE, name="N"),
    ):
        with pytest.raises(NotFoundError) as caught:
            answer(op, NOT_FOUND)
        assert caught.value.description == "record not found"


def test_error_5_is_a_failed_operation() -> None:
    with pytest.raises(OperationFailedError):
        answer(PhonesAdd(phone=PHONE, name="N"), '{"error": "save error", "error_code": 5}')
    with pytest.raises(OperationFailedError):
        answer(PhonesGet(), '{"error": "save error", "error_code": 5}')


# -- answers ---------------------------------------------------------------------------------


def test_results_are_typed() -> None:
    assert answer(PhonesAdd(phone=PHONE, name="N", fmt=0), "ID = 1234") == ContactCreated(id=1234)
    assert answer(PhonesAddBlack(phone=PHONE, fmt=2), "<phone><id>88</id></phone>") == BlacklistEntryCreated(
        88
    )
    assert answer(PhonesAddGroup(name="N"), '{"id": 25}') == GroupCreated(id=25)
    assert answer(PhonesChgGroup(grp=5, name="N"), "OK") == OkResult(result="OK")
    groups = answer(PhonesGetGroup(), '[{"id": 1, "name": "A", "number": 17}, {"id": 2, "cnt": "3"}]')
    assert groups == [ContactGroup(id=1, name="A", number=17), ContactGroup(id=2, cnt=3)]


def test_group_ids_reads_the_group_member() -> None:
    assert Contact(id=1, group="12,15").group_ids == (12, 15)
    assert Contact(id=1, group="12|15").group_ids == (12, 15)
    assert Contact(id=1, group="0").group_ids == ()
    assert Contact(id=1).group_ids == ()
    assert Contact(id=1, group="12, x, 99999999999").group_ids == (12,)


CONTACTS = [
    Contact(
        id=100500,
        name="Ivan Petrov, Jr.",
        phone=PHONE,
        group="12,15",
        first_name="Ivan",
        last_name="Petrov",
        birthday=dt.date(1983, 7, 17),
        comments="met at the fair",
        tags="vip, moscow",
        phone_other="79161234567,79261234567",
    ),
    Contact(id=100501, mail="anna@example.com", group="0"),
]
GROUPS = [
    ContactGroup(id=101, name="Friends, family", number=17, cnt=2),
    ContactGroup(id=102, name="Default"),
]


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_lists_round_trip_in_every_fmt(fmt: int) -> None:
    contacts = PhonesGet(fmt=fmt)  # type: ignore[arg-type]
    assert contacts.decode(contacts.render(CONTACTS)) == CONTACTS
    groups = PhonesGetGroup(fmt=fmt)  # type: ignore[arg-type]
    assert groups.decode(groups.render(GROUPS)) == GROUPS
    created = PhonesAdd(phone=PHONE, name="N", fmt=fmt)  # type: ignore[arg-type]
    assert created.decode(created.render(ContactCreated(id=7))) == ContactCreated(id=7)
