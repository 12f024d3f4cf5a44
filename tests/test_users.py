"""users.php: requests, validation, secrets and the answers the fixtures do not spell out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from smsc_proto import (
    OPS,
    Credentials,
    HttpResponse,
    InsufficientFundsError,
    InvalidParameter,
    NotFoundError,
    OkResult,
    OperationFailedError,
    RateLimit,
    SmscError,
)
from smsc_proto.op import Op
from smsc_proto.ops.users import (
    HIDDEN,
    SubClientCreated,
    SubClientCurrency,
    SubClientStat,
    SubClientType,
    UsersAdd,
    UsersChg,
    UsersGetStat,
    UsersGetStatAll,
    UsersPay,
)

PASSWORD = "Sub-Pw-7c1e9SECRET"
CURRENT = "Old-Pw-2b8d4SECRET"


def answer(op: Op[Any], body: str) -> Any:
    return op.decode(HttpResponse(200, {"Content-Type": "application/json"}, body.encode()))


def envelope(code: int, text: str = "error text") -> str:
    return f'{{"error": "{text}", "error_code": {code}}}'


# -- requests ------------------------------------------------------------------------------


def test_add_sends_the_settings_and_flags_by_their_wire_names() -> None:
    op = UsersAdd(
        user="shop3",
        password=PASSWORD,
        fio="Shop, LLC",
        type=SubClientType.MAIN_BALANCE,
        curr=SubClientCurrency.EUR,
        fmts=[7, -77],
        nb=Decimal("50.00"),
        ph=["79991234567", "G12"],
        tmlim="9-21",
        main_senders=1,
        forbid_settings_changes=1,
        forbid_payments=0,
        blocked=0,
        test_mode=1,
        site_id=3,
        reseller=1,
    )
    assert dict(op.params()) == {
        "add": "1",
        "user": "shop3",
        "password": PASSWORD,
        "fio": "Shop, LLC",
        "type": "3",
        "fmts": "7,-77",
        "curr": "3",
        "nb": "50.00",
        "ph": "79991234567,G12",
        "tmlim": "9-21",
        "fl[29]": "1",
        "fl[27]": "1",
        "fl[28]": "0",
        "fl2[10]": "0",
        "fl2[27]": "1",
        "site_id": "3",
        "reseller": "1",
        "fmt": "3",
        "charset": "utf-8",
    }


def test_from_params_reads_the_wire_names_and_leaves_other_flags_to_extra() -> None:
    op = OPS["users.add"].from_params(
        {"user": "a", "password": PASSWORD, "fl[29]": 1, "fl2[10]": "1", "fl[2]": 1, "fmts": "7,-77"}
    )
    assert isinstance(op, UsersAdd)
    assert (op.main_senders, op.blocked, op.fmts, op.extra) == (1, 1, (7, -77), {"fl[2]": "1"})


def test_a_modelled_flag_cannot_ride_in_extra() -> None:
    with pytest.raises(InvalidParameter) as caught:
        UsersAdd(user="a", password=PASSWORD, extra={"FL[29]": "1"})
    assert caught.value.field == "extra"


def test_stats_send_the_period_as_api_dates() -> None:
    op = OPS["users.get_stat"].from_params(
        {"start": "01.01.2014", "end": "01.02.2014", "mycur": 1, "user_id": 7}
    )
    assert isinstance(op, UsersGetStat)
    assert dict(op.params()) == {
        "get_stat": "1",
        "start": "01.01.2014",
        "end": "01.02.2014",
        "mycur": "1",
        "user_id": "7",
        "fmt": "3",
        "charset": "utf-8",
    }
    assert UsersGetStatAll(hide_deleted=1).params()[:2] == [("get_stat_all", "1"), ("hide_deleted", "1")]


def test_pay_sends_the_sum_as_written() -> None:
    params = dict(UsersPay(user_id=5021, sum=Decimal("-20.5"), balance2=1).params())
    assert (params["pay"], params["user_id"], params["sum"], params["balance2"]) == (
        "1",
        "5021",
        "-20.5",
        "1",
    )


# -- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: UsersAdd(user="", password=PASSWORD), "user"),
        (lambda: UsersAdd(user="  ", password=PASSWORD), "user"),
        (lambda: UsersAdd(user="a", password=""), "password"),
        (lambda: UsersAdd(user="a", password=PASSWORD, phone="+7 999"), "phone"),
        (lambda: UsersAdd(user="a", password=PASSWORD, phone2="n/a"), "phone2"),
        (lambda: UsersAdd(user="a", password=PASSWORD, mph=["79991234567", "x"]), "mph"),
        (lambda: UsersAdd(user="a", password=PASSWORD, ph=["1,2"]), "ph"),
        (lambda: UsersAdd(user="a", password=PASSWORD, tariff=9), "tariff"),
        (lambda: UsersAdd(user="a", password=PASSWORD, tz=25), "tz"),
        (lambda: UsersAdd(user="a", password=PASSWORD, mh2=-1), "mh2"),
        (lambda: UsersAdd(user="a", password=PASSWORD, dlim=-1), "dlim"),
        (lambda: UsersAdd(user="a", password=PASSWORD, tmlim="9:00-21:00"), "tmlim"),
        (lambda: UsersAdd(user="a", password=PASSWORD, tmlim="9-25"), "tmlim"),
        (lambda: UsersAdd(user="a", password=PASSWORD, type=5), "type"),  # type: ignore[arg-type]
        (lambda: UsersAdd(user="a", password=PASSWORD, curr=0), "curr"),  # type: ignore[arg-type]
        (lambda: UsersAdd(user="a", password=PASSWORD, main_senders=2), "fl[29]"),  # type: ignore[arg-type]
        (lambda: UsersAdd(user="a", password=PASSWORD, site_id=0), "site_id"),
        (lambda: UsersAdd(user="a", password=PASSWORD, nb=Decimal("NaN")), "nb"),
        (lambda: UsersChg(fio="x"), "user or user_id"),
        (lambda: UsersChg(user="a", user_id=5, fio="x"), "user or user_id"),
        (lambda: UsersChg(user="a"), "new_login"),
        (lambda: UsersChg(user="a", new_login=" "), "new_login"),
        (lambda: UsersChg(user_id=0, fio="x"), "user_id"),
        (lambda: UsersChg(user="a", pswc="", password=PASSWORD), "pswc"),
        (lambda: UsersPay(sum=Decimal(10)), "user or user_id"),
        (lambda: UsersPay(user="a", sum=Decimal(0)), "sum"),
        (lambda: UsersPay(user="a", sum="ten"), "sum"),  # type: ignore[arg-type]
        (lambda: UsersGetStat(user="a", user_id=5), "user or user_id"),
        (lambda: UsersGetStat(start=dt.date(2014, 2, 1), end=dt.date(2014, 1, 1)), "end"),
        (lambda: UsersGetStatAll(start="31.02.2014"), "start"),  # type: ignore[arg-type]
        (lambda: UsersGetStatAll(reseller=2), "reseller"),  # type: ignore[arg-type]
    ],
)
def test_bad_input_names_the_field(build: Callable[[], object], field: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        build()
    assert caught.value.field == field


def test_what_the_spec_allows_builds() -> None:
    UsersChg(user="a", extra={"fl[2]": "1"})  # a change of a setting not modelled
    UsersChg(user_id=5021, password=PASSWORD, pswc=CURRENT)
    UsersChg(user="a", notes="line 1\nline 2", answ="Thanks,\nwe call back")
    UsersPay(user="a", sum=Decimal("-5"))
    UsersGetStat()
    UsersGetStat(user_id=1, balance2=1)


# -- the sub-client's secrets ----------------------------------------------------------------


SECRET_OPS: list[Callable[[], Op[Any]]] = [
    lambda: UsersAdd(user="mylogin", password=PASSWORD),
    lambda: UsersChg(user="mylogin", password=PASSWORD, pswc=CURRENT),
    lambda: UsersPay(user_id=7, sum=Decimal(1), extra={"PSWC": CURRENT, "password[]": PASSWORD}),
]


@pytest.mark.parametrize("build", SECRET_OPS)
def test_passwords_are_absent_from_reprs(build: Callable[[], Op[Any]]) -> None:
    op = build()
    for shown in (repr(op), str(op), repr(op.__rich_repr__()), repr(op.request(Credentials(apikey="k")))):
        assert "SECRET" not in shown, shown
    assert "<hidden>" in repr(op)
    # ...yet they are sent.
    body = op.request(Credentials(apikey="k")).body
    assert b"SECRET" in body


def test_repr_shows_what_msgspec_shows_with_secrets_hidden() -> None:
    assert repr(UsersAdd(user="mylogin", password=PASSWORD)) == "UsersAdd(user='mylogin', password=<hidden>)"
    assert repr(UsersChg(user="a", pswc=CURRENT, fio="F", fmt=0)) == (
        "UsersChg(fmt=0, user='a', fio='F', pswc=<hidden>)"
    )
    assert repr(UsersPay(user="a", sum=Decimal("1.5"))) == "UsersPay(user='a', sum=Decimal('1.5'))"
    assert UsersAdd(user="a", password=PASSWORD).__rich_repr__() == [("user", "a"), ("password", HIDDEN)]


@pytest.mark.parametrize(
    "build",
    [
        lambda: UsersAdd(user="a", password=PASSWORD + "\x00"),
        lambda: UsersAdd(user="a", password="\ud800" + PASSWORD),
        lambda: UsersChg(user="a", password=PASSWORD, pswc=CURRENT + "\n"),
        lambda: OPS["users.add"].from_params({"user": "a", "password": 10**5000}),
    ],
)
def test_a_refused_password_is_not_shown(build: Callable[[], object]) -> None:
    with pytest.raises(InvalidParameter) as caught:
        build()
    error = caught.value
    assert error.field in ("password", "pswc")
    assert "SECRET" not in str(error) and "SECRET" not in repr(error.value)
    assert "<hidden>" in str(error)


def test_secrets_lists_the_sub_clients_passwords() -> None:
    assert UsersChg(user="a", password=PASSWORD, pswc=CURRENT).secrets() == (PASSWORD, CURRENT)
    assert UsersAdd(user="a", password=PASSWORD, extra={"pswc": CURRENT}).secrets() == (PASSWORD, CURRENT)
    assert UsersPay(user="a", sum=Decimal(1)).secrets() == ()


# -- declared behaviour ----------------------------------------------------------------------


def test_what_creates_changes_or_pays_is_never_repeated_blindly() -> None:
    assert not UsersAdd.idempotent and not UsersChg.idempotent and not UsersPay.idempotent
    assert UsersGetStat.idempotent and UsersGetStatAll.idempotent


def test_rate_limits() -> None:
    # Three adds a minute whatever their parameters; three changes of one sub-client.
    assert UsersAdd.rate_limit == RateLimit(3, identical=False)
    assert UsersChg.rate_limit == RateLimit(3)
    unlimited: list[type[Op[Any]]] = [UsersPay, UsersGetStat, UsersGetStatAll]
    for cls in unlimited:
        assert cls.rate_limit is None, cls.__name__
    every: list[type[Op[Any]]] = [UsersAdd, UsersChg, *unlimited]
    for cls in every:
        assert cls.path == "/sys/users.php"


def test_error_3_is_an_empty_list_for_the_statistics_only() -> None:
    assert answer(UsersGetStat(), envelope(3)) == []
    assert answer(UsersGetStatAll(), envelope(3)) == []
    with pytest.raises(NotFoundError):
        answer(UsersChg(user="a", fio="x"), envelope(3))


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (5, OperationFailedError),
        (6, NotFoundError),
        (7, SmscError),
        (8, OperationFailedError),
        (10, InsufficientFundsError),
    ],
)
def test_the_users_error_table(code: int, cls: type[SmscError]) -> None:
    for op in (UsersPay(user="a", sum=Decimal(1)), UsersGetStat(), UsersAdd(user="a", password=PASSWORD)):
        with pytest.raises(SmscError) as caught:
            answer(op, envelope(code))
        assert type(caught.value) is cls


def test_error_descriptions_hide_an_echoed_password() -> None:
    # The scrubber knows `password` by name (not `pswc`: see the report on errors.py).
    with pytest.raises(SmscError) as caught:
        answer(UsersAdd(user="a", password=PASSWORD), envelope(1, f"bad password={PASSWORD}"))
    assert "SECRET" not in str(caught.value)


# -- answers ---------------------------------------------------------------------------------


def test_results_are_typed() -> None:
    assert answer(UsersAdd(user="a", password=PASSWORD, fmt=0), "ID = 5021") == SubClientCreated(id=5021)
    assert answer(UsersChg(user="a", fio="x"), "OK") == OkResult(result="OK")
    assert answer(UsersPay(user="a", sum=Decimal(1)), '{"result": "OK"}') == OkResult(result="OK")
    stats = answer(UsersGetStat(fmt=1), "sub_alex,120,236.40,0,RUR")
    assert stats == [
        SubClientStat(login="sub_alex", cnt=120, credit=Decimal("236.40"), debit=Decimal(0), currency="RUR")
    ]
    assert isinstance(stats[0].credit, Decimal)


STATS = [
    SubClientStat(login="sub_alex", cnt=120, credit=Decimal("236.40"), debit=Decimal("0.00"), currency="RUR"),
    SubClientStat(login="shop2", cnt=0, credit=Decimal("-1.5")),
    SubClientStat(login="deleted"),
]


@pytest.mark.parametrize("fmt", [0, 1, 2, 3])
def test_results_round_trip_in_every_fmt(fmt: int) -> None:
    for op in (UsersGetStat(fmt=fmt), UsersGetStatAll(fmt=fmt)):  # type: ignore[arg-type]
        assert op.decode(op.render(STATS)) == STATS
        assert op.decode(op.render([])) == []
    created = UsersAdd(user="a", password=PASSWORD, fmt=fmt)  # type: ignore[arg-type]
    assert created.decode(created.render(SubClientCreated(id=7))) == SubClientCreated(id=7)
    paid = UsersPay(user="a", sum=Decimal(1), fmt=fmt)  # type: ignore[arg-type]
    assert paid.decode(paid.render(OkResult(result="OK"))) == OkResult(result="OK")


def test_a_sub_client_password_is_hidden_from_errors_and_logs() -> None:
    from smsc_proto import CallPolicy, Credentials, HttpResponse, SmscError
    from smsc_proto.errors import scrub_credentials

    echoes = ("pswc=Old-Secret2", '"pswc": "Old-Secret2"', "<pswc>Old-Secret2</pswc>", "pswc = Old-Secret2")
    for text in echoes:
        assert "Old-Secret2" not in scrub_credentials(text), text
    op = UsersChg(user="shop2", password="New-Secret3", fio="Ivan")
    call = CallPolicy(Credentials(login="acme", psw="main-secret")).start(op, 0.0)
    assert "New-Secret3" not in str(call.request.params())
    # A server that echoes the password in another spelling is redacted by the exact value.
    echo = b'{"error": "bad value New-Secret3 (x)", "error_code": 1}'
    try:
        call.decode(HttpResponse(200, {}, echo))
    except SmscError as exc:
        assert "New-Secret3" not in str(exc) and "New-Secret3" not in exc.description
    else:
        raise AssertionError("error 1 expected")
