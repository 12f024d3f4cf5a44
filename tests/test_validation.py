"""Construction checks of every op (issue 7, items 5, 6 and 9).

Every refusal is an ``InvalidParameter`` raised when the op is built, by ``Op(...)`` and by
``Op.from_params``, naming the field (its wire name), the value and the reason: no
``UnicodeEncodeError``, ``ValueError`` or ``TypeError`` at call time.

- Text: every str parameter (and every ``extra`` name and value) must have a UTF-8 form and
  hold no NUL or other C0 control (tabs and line breaks only in message texts).
- Numbers: ints within the API's 32-bit range, amounts finite and of sane size, and the
  ranges the spec gives (send.md: ``tz``, ``period``, ``freq``, ``valid``, ``param``;
  common.md: ids 1..2147483647).
- ``extra``: matched as PHP reads form names; no credentials, ``fmt``, ``charset``, field of
  the op or command flag of its endpoint.
- Phones: ASCII digits with an optional leading ``+`` (send.md), groups, e-mails and Telegram
  ids where the op allows them.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings, strategies as st

from smsc_proto import (
    OPS,
    Balance,
    Credentials,
    DownloadsGetFile,
    DownloadsGetList,
    InvalidParameter,
    JobsAdd,
    JobsDel,
    JobsGet,
    JobsGetAll,
    Op,
    OperatorTemplatesAdd,
    Ping,
    Send,
    SendCost,
    Status,
    StatusBatch,
    StatusDel,
)
from smsc_proto.http import HttpRequest
from smsc_proto.op import INT_MAX, INT_MIN, php_name

PHONE = "79991234567"
CREDS = Credentials(login="acme", psw="hunter2")

# A valid set of wire parameters per op class; each test changes one of them.
_BASES: list[tuple[type[Op[Any]], dict[str, Any]]] = [
    (OPS["balance"], {}),
    (OPS["send"], {"phones": [PHONE], "mes": "Hi"}),
    (OPS["send.cost"], {"phones": [PHONE], "mes": "Hi"}),
    (OPS["send.rest"], {"phones": [PHONE], "mes": "Hi"}),
    (OPS["status"], {"phone": PHONE, "id": 42}),
    (StatusBatch, {"phone": [PHONE], "id": [42, 43]}),
    (OPS["status.del"], {"phone": PHONE, "id": 42}),
    (OPS["jobs.add"], {"name": "Sale", "phones": [PHONE], "mes": "Hi"}),
    (OPS["jobs.del"], {"id": 1}),
    (OPS["jobs.cancel"], {"id": 1}),
    (OPS["jobs.get"], {"id": 1}),
    (OPS["jobs.get_all"], {}),
    (OPS["ping"], {"id": 7}),
    (OPS["downloads.get_list"], {}),
    (OPS["downloads.get_file"], {"id": 1}),
    (OPS["op_templates.add"], {"sender": "SHOP", "msg": "Code: %d%"}),
    (OPS["op_templates.get"], {"sender": "SHOP", "msg": "Code: %d%"}),
    (OPS["documents.add_account"], {"user": "client1", "sum": "10.00"}),
    (OPS["documents.get_account"], {"user": "client1", "id": 1}),
    (OPS["documents.get_act"], {"user": "client1", "id": 1}),
    (OPS["templates.add"], {"name": "code", "msg": "Code: %s"}),
    (OPS["templates.chg"], {"id": 5, "msg": "Code: %s"}),
    (OPS["templates.del"], {"id": 5}),
    (OPS["templates.get"], {}),
    (OPS["info.operator"], {"phone": PHONE}),
    (OPS["tinyurls.get"], {"link": "https://example.com/sale"}),
    (OPS["phones.add"], {"phone": PHONE, "name": "Ivan Petrov"}),
    (OPS["phones.add_group"], {"name": "Clients"}),
    (OPS["phones.chg"], {"phone": PHONE, "new_phone": "79997654321"}),
    (OPS["phones.chg_group"], {"grp": 25, "name": "VIP"}),
    (OPS["phones.move_group"], {"move_group": 1, "phone": PHONE, "grp": 25}),
    (OPS["phones.del"], {"phone": PHONE}),
    (OPS["phones.del_group"], {"grp": 25}),
    (OPS["phones.get"], {}),
    (OPS["phones.get_group"], {}),
    (OPS["phones.add_black"], {"phone": PHONE}),
    (OPS["phones.del_black"], {"phone": PHONE}),
    (OPS["users.add"], {"user": "mylogin", "password": "mypassword"}),
    (OPS["users.chg"], {"user": "mylogin", "fio": "Ivan Petrov"}),
    (OPS["users.pay"], {"user": "mylogin", "sum": "100.50"}),
    (OPS["users.get_stat"], {}),
    (OPS["users.get_stat_all"], {}),
    (OPS["receive_phones.get"], {}),
    (OPS["receive_phones.buy"], {"phone": "79001234567"}),
    (OPS["receive_phones.chg"], {"phone": "79001234567", "noprolong": 1}),
    (OPS["senders.get"], {}),
    (OPS["senders.add"], {"sender": "Shop"}),
    (OPS["senders.chg"], {"id": 42, "cmt": "new comment"}),
    (OPS["senders.send_code"], {"sender": PHONE}),
    (OPS["senders.check_code"], {"sender": PHONE, "code": "4821"}),
    (OPS["senders.del"], {"sender": PHONE}),
    (OPS["get.messages"], {}),
    (OPS["get.answers"], {}),
    (OPS["get.stat"], {}),
    (OPS["get.price"], {}),
    (OPS["get.mega_accounts"], {}),
    (OPS["wait_call"], {"phone": PHONE}),
    (OPS["get_mnp"], {}),
]
BASE: dict[type[Op[Any]], dict[str, Any]] = dict(_BASES)


def test_every_op_class_has_a_valid_base() -> None:
    assert {cls.op_id for cls in BASE} == set(OPS)
    for cls, params in BASE.items():
        assert isinstance(build_init(cls, params), cls)
        assert isinstance(build_from_params(cls, params), cls)


def _attrs(cls: type[Op[Any]]) -> dict[str, str]:
    """wire name -> attribute name (``list`` -> ``list_``)."""
    return {f.encode_name: f.name for f in msgspec.structs.fields(cls)}


def build_init(cls: type[Op[Any]], params: dict[str, Any]) -> Op[Any]:
    names = _attrs(cls)
    return cls(**{names.get(k, k): v for k, v in params.items()})


def build_from_params(cls: type[Op[Any]], params: dict[str, Any]) -> Op[Any]:
    return cls.from_params(params)


BUILDERS = [pytest.param(build_init, id="init"), pytest.param(build_from_params, id="from_params")]
Builder = Callable[[type[Op[Any]], dict[str, Any]], Op[Any]]


def refused(build: Builder, cls: type[Op[Any]], changes: dict[str, Any], field: str) -> InvalidParameter:
    """Build ``cls`` from its base with ``changes``: it must be refused naming ``field``."""
    with pytest.raises(InvalidParameter) as info:
        build(cls, {**BASE[cls], **changes})
    error = info.value
    assert (error.op, error.field) == (cls.op_id, field), str(error)
    assert error.reason
    assert f"invalid {field}=" in str(error)
    return error


def accepted(build: Builder, cls: type[Op[Any]], changes: dict[str, Any]) -> Op[Any]:
    op = build(cls, {**BASE[cls], **changes})
    # Built means sendable: the form encodes.
    assert isinstance(op.request(CREDS).body, bytes)
    return op


# -- the parameters of each kind, found from the field types ---------------------------------


def _members(t: Any) -> list[Any]:
    if typing.get_origin(t) is typing.Union or isinstance(t, types.UnionType):
        return [m for a in typing.get_args(t) for m in _members(a)]
    if typing.get_origin(t) in (tuple, list, Sequence, typing.Annotated):
        return [m for a in typing.get_args(t)[:1] for m in _members(a)]
    return [t]


def _is_list(t: Any) -> bool:
    args = (
        typing.get_args(t) if typing.get_origin(t) is typing.Union or isinstance(t, types.UnionType) else (t,)
    )
    return any(typing.get_origin(a) in (tuple, list, Sequence) for a in args)


def _fields_of(kind: type) -> list[tuple[type[Op[Any]], str, bool]]:
    """(class, wire name, is a list) of every parameter whose type admits ``kind``."""
    out = []
    for cls in BASE:
        hints = typing.get_type_hints(cls)
        for f in msgspec.structs.fields(cls):
            if f.name in ("fmt", "extra"):
                continue
            if kind in _members(hints[f.name]):
                out.append((cls, f.encode_name, _is_list(hints[f.name])))
    return out


TEXT_FIELDS = _fields_of(str)
INT_FIELDS = _fields_of(int)
DECIMAL_FIELDS = _fields_of(Decimal)
MULTILINE = {(cls, name) for cls, name, _ in TEXT_FIELDS if name in cls.line_breaks}


def _ids(fields: list[tuple[type[Op[Any]], str, bool]]) -> list[str]:
    return [f"{cls.__name__}.{name}" for cls, name, _ in fields]


def test_the_fields_found_cover_every_op() -> None:
    assert {cls for cls, _, _ in TEXT_FIELDS} >= {c for c in BASE if c is not OPS["balance"]} - {
        OPS["jobs.get_all"],
        OPS["downloads.get_list"],
        OPS["jobs.del"],
        OPS["jobs.cancel"],
        OPS["jobs.get"],
        OPS["templates.del"],
        OPS["templates.get"],
        OPS["phones.del_group"],
        OPS["phones.get_group"],
        OPS["users.get_stat_all"],
        OPS["receive_phones.get"],
        OPS["get.stat"],
        OPS["get.price"],
        OPS["get_mnp"],
    }
    assert (Send, "mes") in MULTILINE and (Send, "list") in MULTILINE and (JobsAdd, "mes2") in MULTILINE
    assert (OperatorTemplatesAdd, "msg") in MULTILINE and (Ping, "info") in MULTILINE
    assert (Send, "sender") not in MULTILINE and (Status, "phone") not in MULTILINE
    assert {(c, n) for c, n, _ in DECIMAL_FIELDS} >= {(Send, "period"), (OPS["documents.add_account"], "sum")}
    assert (JobsDel, "id") in {(c, n) for c, n, _ in INT_FIELDS}


# -- 5. only InvalidParameter escapes: text ----------------------------------------------------


def _as(is_list: bool, value: Any) -> Any:
    return [value] if is_list else value


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize(("cls", "field", "is_list"), TEXT_FIELDS, ids=_ids(TEXT_FIELDS))
@pytest.mark.parametrize(
    ("bad", "what"),
    [
        ("\ud800", "lone surrogate U+D800"),  # no UTF-8 form: UnicodeEncodeError at call time before
        ("\udfff", "lone surrogate U+DFFF"),
        ("\x00", "NUL"),
        ("\x1b", "U+001B"),
        ("\x7f", "U+007F"),
        ("\x08", "U+0008"),
    ],
)
def test_no_text_parameter_takes_what_a_form_cannot_carry(
    build: Builder, cls: type[Op[Any]], field: str, is_list: bool, bad: str, what: str
) -> None:
    error = refused(build, cls, {field: _as(is_list, f"79{bad}91")}, field)
    assert what in error.reason
    assert "index 2" in error.reason


@pytest.mark.parametrize(("cls", "field", "is_list"), TEXT_FIELDS, ids=_ids(TEXT_FIELDS))
@pytest.mark.parametrize("brk", ["\n", "\r\n", "\t", "\r"])
def test_line_breaks_only_in_message_texts(cls: type[Op[Any]], field: str, is_list: bool, brk: str) -> None:
    value = _as(is_list, f"line one{brk}line two")
    if (cls, field) not in MULTILINE:
        refused(build_init, cls, {field: value}, field)
        return
    params = {**BASE[cls], field: value}
    if field == "list":  # one `phone:text` per line, instead of phones and mes
        params = {k: v for k, v in params.items() if k not in ("phones", "mes")}
        params["list"] = f"{PHONE}:one{brk}79161234567:two"
    op = build_init(cls, params)
    assert op.request(CREDS).body
    assert brk in dict(op.params())[field]


def test_the_attack_lone_surrogate_in_mes_is_refused_at_construction() -> None:
    # Before: Send built, and client.call() raised UnicodeEncodeError while encoding the form.
    with pytest.raises(InvalidParameter) as info:
        Send(phones=[PHONE], mes="Hello \ud83d")
    assert (info.value.field, info.value.value) == ("mes", "Hello \ud83d")
    assert "UTF-8" in info.value.reason
    with pytest.raises(InvalidParameter) as info:
        OPS["send"].from_params({"phones": PHONE, "mes": "Hello \ud83d"}, 3)
    assert info.value.field == "mes"
    # A whole surrogate pair is one real character: fine.
    assert Send(phones=[PHONE], mes="Hello \U0001f600").request(CREDS).body


def test_a_long_value_is_shown_shortened_around_the_bad_character() -> None:
    with pytest.raises(InvalidParameter) as info:
        Send(phones=[PHONE], mes="private words " * 50 + "\x00" + " tail" * 50)
    shown = info.value.value
    assert isinstance(shown, str) and "\x00" in shown and len(shown) <= 32
    assert len(str(info.value)) < 200
    assert "index 700" in info.value.reason


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(exclude_categories=()), max_size=40))
def test_any_text_either_builds_a_sendable_op_or_is_refused_by_name(text: str) -> None:
    for build in (
        lambda: Send(phones=[PHONE], mes=text, sender=text or None),
        lambda: Ping(id=7, name=text, info=text),
        lambda: Balance(extra={"note": text}),
    ):
        try:
            op = build()
        except InvalidParameter as exc:
            assert exc.field in ("mes", "sender", "name", "info", "extra")
            continue
        body = op.request(CREDS).body
        assert text in HttpRequest.parse_body(body).values()


# -- 5./9. only InvalidParameter escapes: numbers ----------------------------------------------


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize(("cls", "field", "is_list"), INT_FIELDS, ids=_ids(INT_FIELDS))
@pytest.mark.parametrize(
    "bad",
    [INT_MAX + 1, INT_MIN - 1, 10**30, 10**5000, -(10**5000)],
    ids=["max+1", "min-1", "1e30", "1e5000", "-1e5000"],
)
def test_no_int_parameter_takes_a_number_beyond_the_api(
    build: Builder, cls: type[Op[Any]], field: str, is_list: bool, bad: int
) -> None:
    # Before: 10**5000 built, and params() raised ValueError (int max str digits).
    error = refused(build, cls, {field: _as(is_list, bad)}, field)
    assert len(str(error)) < 300


@pytest.mark.parametrize(("cls", "field", "is_list"), INT_FIELDS, ids=_ids(INT_FIELDS))
def test_a_digit_string_beyond_any_int_is_refused_by_name(
    cls: type[Op[Any]], field: str, is_list: bool
) -> None:
    refused(build_from_params, cls, {field: _as(is_list, "9" * 5000)}, field)


def test_the_attack_huge_message_id_string_is_an_invalid_parameter() -> None:
    # Before: ValueError from int() of 5000 digits inside the id check.
    for build in (
        lambda: Status(phone=PHONE, id="9" * 5000),
        lambda: Status.from_params({"phone": PHONE, "id": "9" * 5000}),
        lambda: Status.from_params({"phone": PHONE, "id": 10**5000}),
        lambda: Send(phones=[PHONE], mes="Hi", id="0" * 30 + "9" * 11),
        lambda: Send(phones=10**5000, mes="Hi"),  # type: ignore[arg-type]
        lambda: Send(phones=[PHONE], mes="Hi", cost=10**5000),  # type: ignore[arg-type]
        lambda: Send(phones=[10**5000], mes="Hi"),  # type: ignore[list-item]
        lambda: StatusBatch(phone=[PHONE], id=[1, 10**5000]),
        lambda: Balance(extra={"note": 10**5000}),  # type: ignore[dict-item]
        lambda: Balance(extra={"note": [10**5000]}),  # type: ignore[dict-item]
        lambda: Balance(cur=10**5000),  # type: ignore[arg-type]
    ):
        with pytest.raises(InvalidParameter) as info:
            build()
        assert info.value.field in ("id", "phones", "cost", "extra", "cur")
        assert len(str(info.value)) < 300
    # Leading zeros do not make a number big.
    assert Send(phones=[PHONE], mes="Hi", id="0000000042").id == 42


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize(("cls", "field", "is_list"), DECIMAL_FIELDS, ids=_ids(DECIMAL_FIELDS))
@pytest.mark.parametrize(
    "bad",
    ["NaN", "sNaN", "-NaN", "Infinity", "-Infinity", "inf", Decimal("NaN"), Decimal("-Infinity"),
     float("nan"), float("inf"), "1E+999999", "1E-999999", Decimal("1E+100")],
)  # fmt: skip
def test_no_amount_is_nan_infinite_or_absurd(
    build: Builder, cls: type[Op[Any]], field: str, is_list: bool, bad: Any
) -> None:
    error = refused(build, cls, {field: bad}, field)
    assert len(str(error)) < 300


# -- 9. ranges per the spec --------------------------------------------------------------------


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize("cls", [Send, SendCost, JobsAdd])
@pytest.mark.parametrize(
    ("field", "good", "bad"),
    [
        # tz: hours relative to Moscow (UTC+3): UTC-12..UTC+14 is -15..11 (send.md).
        ("tz", [-15, -1, 0, 3, 9, 11, "-3"], [-16, 12, 14, 24, -100]),
        # period: 0.1-720 hours (send.md).
        ("period", ["0.1", "1.5", 720, Decimal("720.0")], ["0.09", 0, "-1", "720.01", 1000]),
        # freq: 1-1440 minutes (send.md).
        ("freq", [1, 30, 1440], [0, -1, 1441]),
        # valid: 1-24 hours or hh:mm from 00:01 to 24:00 (send.md).
        (
            "valid",
            ["1", "12", "24", "00:01", "12:30", "24:00", "1:05"],
            ["0", "25", "00:00", "24:01", "12:60", "1.5", "abc", "", "12:5", "-1"],
        ),
        # param: w,i,n = wait, interval 10-3600, attempts 1-9 (send.md).
        (
            "param",
            ["10,60,3", "35,3600,9", "0,10,1"],
            ["10,60", "10,5,3", "10,60,10", "100,60,3", "a,b,c", "10;60;3"],
        ),
    ],
)
def test_message_options_ranges(
    build: Builder, cls: type[Op[Any]], field: str, good: list[Any], bad: list[Any]
) -> None:
    for value in good:
        accepted(build, cls, {field: value})
    for value in bad:
        refused(build, cls, {field: value}, field)


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize(
    ("cls", "field"),
    [
        (JobsDel, "id"),
        (OPS["jobs.cancel"], "id"),
        (JobsGet, "id"),
        (JobsAdd, "tpl"),
        (Ping, "id"),
        (DownloadsGetFile, "id"),
        (Status, "id"),
        (StatusDel, "id"),
        (Send, "id"),
    ],
)
def test_ids_are_within_1_and_2147483647(build: Builder, cls: type[Op[Any]], field: str) -> None:
    for value in (1, 2_147_483_647):
        accepted(build, cls, {field: value})
    for value in (0, -1, 2_147_483_648, INT_MIN):
        refused(build, cls, {field: value}, field)


@pytest.mark.parametrize("build", BUILDERS)
def test_downloads_list_cnt_and_after_id(build: Builder) -> None:
    accepted(build, DownloadsGetList, {"cnt": 1, "after_id": 0})
    accepted(build, DownloadsGetList, {"cnt": INT_MAX, "after_id": INT_MAX})
    for cnt in (0, -5, INT_MAX + 1):
        refused(build, DownloadsGetList, {"cnt": cnt}, "cnt")
    for after_id in (-1, INT_MAX + 1):
        refused(build, DownloadsGetList, {"after_id": after_id}, "after_id")


@pytest.mark.parametrize("build", BUILDERS)
def test_send_maxsms_and_jobs_repeats(build: Builder) -> None:
    accepted(build, Send, {"maxsms": 1})
    refused(build, Send, {"maxsms": 0}, "maxsms")
    accepted(build, JobsAdd, {"rptn": 0, "rpt": 7})
    refused(build, JobsAdd, {"rptn": -1}, "rptn")
    refused(build, JobsAdd, {"rpt": -1}, "rpt")


# -- 9. phones ---------------------------------------------------------------------------------

# Each a look-alike of a phone that the API would not read as its digits.
BAD_PHONES = [
    "٧٩٩٩١٢٣٤٥٦٧",  # Arabic-Indic digits
    "۷۹۹۹۱۲۳۴۵۶۷",  # Extended Arabic-Indic (Persian) digits
    "７９９９１２３４５６７",  # full-width digits  # noqa: RUF001
    "7999１234567",  # one full-width digit  # noqa: RUF001
    "\u202e79991234567",  # RTL override
    "7999\u200b1234567",  # zero-width space
    "79991234567\r\n",
    "7999\n1234567",
    "79991234567\x00",
    "+7 999 123 45 67",
    "+7(999)1234567",
    "7-999-123-45-67",
    "++79991234567",
    "7999+1234567",
    "+",
    "abc",
    "g123",  # groups are `G<id>`
    "G",
    "G12a",
]


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize("cls", [Send, SendCost, JobsAdd])
@pytest.mark.parametrize("phone", BAD_PHONES)
def test_recipients_are_ascii_digits_or_groups(build: Builder, cls: type[Op[Any]], phone: str) -> None:
    error = refused(build, cls, {"phones": [PHONE, phone]}, "phones")
    assert error.value == phone or "index" in error.reason


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize("cls", [Send, SendCost, JobsAdd])
def test_recipients_the_spec_documents(build: Builder, cls: type[Op[Any]]) -> None:
    op = accepted(build, cls, {"phones": ["+79991234567", "79161234567", "G15", "123"]})
    assert dict(op.params())["phones"] == "+79991234567,79161234567,G15,123"
    # The separators: `,` and `;` between items, as a string.
    op = accepted(build_from_params, cls, {"phones": "+79991234567; 79161234567,G15"})
    assert dict(op.params())["phones"] == "+79991234567,79161234567,G15"
    # E-mail addresses with mail=1 only.
    refused(build, cls, {"phones": ["a@example.com"]}, "phones")
    op = accepted(build, cls, {"phones": ["a@example.com", "b.c+d@mail.example.org"], "mail": 1})
    assert dict(op.params())["phones"] == "a@example.com,b.c+d@mail.example.org"
    refused(build, cls, {"phones": ["a b@example.com"], "mail": 1}, "phones")
    refused(build, cls, {"phones": ["a@b@example.com"], "mail": 1}, "phones")
    refused(build, cls, {"phones": ["почта@example.com"], "mail": 1}, "phones")


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize("cls", [Send, SendCost])
def test_telegram_recipients_with_tg_1(build: Builder, cls: type[Op[Any]]) -> None:
    for who in ("#123456789", "some_nick", "@some_nick"):
        refused(build, cls, {"phones": [who]}, "phones")
        accepted(build, cls, {"phones": [who], "tg": 1})
    for bad in ("#12a", "nick name", "ник"):
        refused(build, cls, {"phones": [bad], "tg": 1}, "phones")


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize("cls", [Status, StatusDel, StatusBatch])
@pytest.mark.parametrize("phone", BAD_PHONES)
def test_status_phones_are_ascii_digits(build: Builder, cls: type[Op[Any]], phone: str) -> None:
    value = [phone] if cls is StatusBatch else phone
    refused(build, cls, {"phone": value}, "phone")


@pytest.mark.parametrize("build", BUILDERS)
def test_status_of_an_email_message_takes_the_address(build: Builder) -> None:
    # spec/status.md: "For e-mail messages: the address."
    accepted(build, Status, {"phone": "a@example.com"})
    accepted(build, StatusBatch, {"phone": ["a@example.com", "+79991234567"]})
    refused(build, Status, {"phone": "G15"}, "phone")  # a message went to one recipient


# -- 6. extra ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "read"),
    [
        ("psw", "psw"),
        ("PSW", "psw"),
        ("Psw", "psw"),
        ("psw[]", "psw"),
        ("psw[0]", "psw"),
        ("psw[a][b]", "psw"),
        (" psw ", "psw"),
        ("\tpsw\n", "psw"),
        ("psw []", "psw"),
        ("api.key", "api_key"),
        ("api key", "api_key"),
        ("get.all", "get_all"),
        ("a[b", "a_b"),
        ("a.b[c.d]", "a_b"),
        ("[x]", ""),
        ("newflag", "newflag"),
    ],
)
def test_php_name(name: str, read: str) -> None:
    assert php_name(name) == read


RESERVED_SPELLINGS = [
    "login", "LOGIN", "Login[]", " login", "login[x]",
    "psw", "PSW", "psw[]", "psw[0]", " psw ", "pSw [] ",
    "apikey", "APIKEY", "apikey[]", "ApiKey[k]", "apikey ",
    "fmt", "FMT", "fmt[]", " fmt",
    "charset", "CHARSET", "charset[]", "charset ",
]  # fmt: skip


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize("cls", list(BASE), ids=lambda c: c.__name__)
@pytest.mark.parametrize("name", RESERVED_SPELLINGS)
def test_extra_cannot_set_credentials_fmt_or_charset_in_any_spelling(
    build: Builder, cls: type[Op[Any]], name: str
) -> None:
    if build is build_from_params and name.strip().lower() == "charset":
        return  # from_params drops a charset=utf-8 it is given; other values are refused below
    with pytest.raises(InvalidParameter) as info:
        if build is build_init:
            build_init(cls, {**BASE[cls], "extra": {name: "hunter2-secret"}})
        else:
            build_from_params(cls, {**BASE[cls], name: "hunter2-secret"})
    assert (info.value.op, info.value.field, info.value.value) == (cls.op_id, "extra", name)
    # The value given (a password, perhaps) is in no message.
    assert "hunter2" not in str(info.value)


def test_from_params_drops_charset_utf8_and_refuses_any_other() -> None:
    assert Balance.from_params({"charset": "utf-8"}).extra is None
    for name, value in (("charset", "windows-1251"), ("Charset", "koi8-r"), ("CHARSET", "utf-8")):
        with pytest.raises(InvalidParameter) as info:
            Balance.from_params({name: value})
        assert (info.value.field, info.value.value) == ("extra", name)


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize(
    ("cls", "name"),
    [
        (Send, "mes"),
        (Send, "MES"),
        (Send, "phones[]"),
        (Send, "list"),  # the wire name of the list_ field
        (Send, "sender "),
        (SendCost, "maxsms"),
        (JobsAdd, "mes2"),
        (JobsAdd, "Sender2"),
        (Status, "ID"),
        (Status, "all[]"),
        (StatusDel, "phone"),
        (DownloadsGetList, "after.id"),
        (DownloadsGetList, "after id"),
        (DownloadsGetList, "AFTER_ID[]"),
        (Ping, "info"),
        (OperatorTemplatesAdd, "mts.srv"),
        (JobsGetAll, "start"),
    ],
)
def test_extra_cannot_set_a_field_of_the_op(build: Builder, cls: type[Op[Any]], name: str) -> None:
    if build is build_init:
        error = refused(build_init, cls, {"extra": {name: "1"}}, "extra")
    else:
        if name in _attrs(cls):
            return  # from_params reads its own wire names as the fields
        error = refused(build_from_params, cls, {name: "1"}, "extra")
    assert error.value == name
    assert "parameter of" in error.reason


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize(
    ("cls", "name", "command_of"),
    [
        # Before: extra={"del": "1"} turned a status query into a deletion.
        (Status, "del", "status.del"),
        (StatusBatch, "DEL", "status.del"),
        (Status, "del[]", "status.del"),
        (JobsGet, "get_all", "jobs.get_all"),
        (JobsGet, "get.all", "jobs.get_all"),
        (JobsGetAll, "del", "jobs.del"),
        (JobsDel, "add", "jobs.add"),
        (OPS["jobs.cancel"], "get", "jobs.get"),
        (Send, "cost", None),  # a field of Send (cost=1 is SendCost's flag)
        (DownloadsGetList, "get_file", "downloads.get_file"),
        (DownloadsGetFile, "get list", "downloads.get_list"),
        (OperatorTemplatesAdd, "GET", "op_templates.get"),
        (OPS["documents.get_account"], "add_account", "documents.add_account"),
    ],
)
def test_extra_cannot_set_a_command_flag_of_the_endpoint(
    build: Builder, cls: type[Op[Any]], name: str, command_of: str | None
) -> None:
    if build is build_init:
        error = refused(build_init, cls, {"extra": {name: "1"}}, "extra")
    elif name in _attrs(cls):
        return  # from_params reads its own wire names as the fields
    else:
        error = refused(build_from_params, cls, {name: "1"}, "extra")
    assert error.value == name
    if command_of is not None:
        assert f"command flag of {command_of}" in error.reason


def test_extra_cannot_repeat_the_ops_own_command() -> None:
    for cls, name in ((SendCost, "COST"), (JobsDel, "del[]"), (StatusDel, " del")):
        with pytest.raises(InvalidParameter) as info:
            build_init(cls, {**BASE[cls], "extra": {name: "0"}})
        assert (info.value.field, info.value.value) == ("extra", name)
    # from_params takes the exact command flag as implied (it is not extra).
    assert SendCost.from_params({**BASE[SendCost], "cost": 1}).extra is None


@pytest.mark.parametrize("build", BUILDERS)
def test_extra_names_and_values_are_form_text(build: Builder) -> None:
    cases: list[tuple[str, str]] = [
        ("note", "a\ud800"),
        ("note", "a\x00b"),
        ("note", "\x1b[31m"),
        ("no\x00te", "1"),
        ("no\ud800te", "1"),
        ("no\nte", "1"),
        ("", "1"),
        ("  ", "1"),
        ("[x]", "1"),
    ]
    for name, value in cases:
        if build is build_init:
            error = refused(build_init, Balance, {"extra": {name: value}}, "extra")
        else:
            error = refused(build_from_params, Balance, {name: value}, "extra")
        assert error.value is not None
    # Values of unknown parameters may span lines.
    op = accepted(build_init, Balance, {"extra": {"note": "a\nb\tc"}})
    assert dict(op.params())["note"] == "a\nb\tc"


def test_extra_values_must_be_text() -> None:
    with pytest.raises(InvalidParameter) as info:
        Balance(extra={"note": 5})  # type: ignore[dict-item]
    assert info.value.field == "extra"
    with pytest.raises(InvalidParameter) as info:
        Balance(extra={5: "x"})  # type: ignore[dict-item]
    assert info.value.field == "extra"


def test_extra_still_carries_what_the_sdk_does_not_model() -> None:
    op = Send(phones=[PHONE], mes="Hi", extra={"newflag": "1", "my.param": "x y", "Other": "Привет"})
    params = dict(op.params())
    assert (params["newflag"], params["my.param"], params["Other"]) == ("1", "x y", "Привет")
    assert Send.from_params({**BASE[Send], "newflag": 1}).extra == {"newflag": "1"}
    # A name of another op of the endpoint that is not a command flag is not this op's business.
    assert StatusDel(phone=PHONE, id=1, extra={"all": "1"}).extra == {"all": "1"}


# -- valid inputs stay valid -------------------------------------------------------------------


def test_unicode_texts_and_the_readme_examples_still_build() -> None:
    ops: list[Op[Any]] = [
        Send(phones=["79991234567"], mes="Your code is 1234", cost=3),
        Send(phones=[PHONE], mes="Привет, мир! 👋 \u0667", sender="SMSC.RU", tz=-1, valid="24:00"),
        Send(list_=f"{PHONE}:Hi\n79161234567:Bye, see you"),
        Send(phones=[PHONE], mes="", hlr=1),
        Status(phone="79991234567", id=1234, all=1),
        StatusBatch(phone=["79991234567", "79997654321"], id=[1234, 1235]),
        Ping(id=7, name="db1", host="10.0.0.5", info="disk full\nat /var"),
        JobsAdd(name="Sale", phones=[PHONE, "79997654321"], mes="-20% today", time="15.03.24 10:00", cost=1),
        JobsAdd(
            name="News", phones=["a@example.com"], mes="Hi", mail=1, period=Decimal("1.5"), freq=30, tz=3
        ),
        OperatorTemplatesAdd(sender="SHOP", msg="Your code: %d%\nThanks", mts_srv=1, mega_auth=1),
        DownloadsGetFile(name="export_41.csv"),
    ]
    for op in ops:
        assert op.request(CREDS).body


# -- 5. nothing but InvalidParameter, whatever is passed ---------------------------------------

NASTY: list[Any] = [
    None, True, 0, -1, 10**5000, -(10**5000), 2**63, float("nan"), float("inf"), 1.5,
    Decimal("NaN"), Decimal("sNaN"), Decimal("1E+999999"), "", " ", "\ud800", "\x00", "9" * 5000,
    "1,2", "a;b", "+7999", "G1", "a@b.c", "NaN", "01.01.2024", b"\xff", [], [1], ["\ud800"],
    [10**5000], [[1]], {"a": 1}, {"a": "b"}, {1: 2}, ("x",), dt.date(2024, 1, 1), object(),
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(list(BASE)),
    st.lists(st.tuples(st.integers(0, 100), st.sampled_from(range(len(NASTY)))), min_size=1, max_size=3),
    st.booleans(),
)
def test_any_value_either_builds_a_sendable_op_or_is_an_invalid_parameter(
    cls: type[Op[Any]], changes: list[tuple[int, int]], via_init: bool
) -> None:
    names = [*_attrs(cls), "extra", "psw", "del", "newflag"]
    params = dict(BASE[cls])
    for name, value in changes:
        params[names[name % len(names)]] = NASTY[value]
    try:
        if via_init:
            names_of = _attrs(cls)
            if any(k not in names_of for k in params):
                return  # not a keyword of the class: Python's own TypeError
            op = build_init(cls, params)
        else:
            op = build_from_params(cls, params)
    except InvalidParameter as exc:
        assert exc.op == cls.op_id
        assert len(str(exc)) < 400
        return
    assert op.request(CREDS).body
    assert repr(op)


@pytest.mark.parametrize("cls", list(BASE), ids=lambda cls: cls.__name__)
def test_a_huge_value_in_any_field_gives_a_short_error(cls: type[Op[Any]]) -> None:
    # Hypothesis found an enum field whose refusal quoted the whole value.
    for name in _attrs(cls):
        try:
            build_from_params(cls, {**BASE[cls], name: "9" * 5000})
        except InvalidParameter as exc:
            assert len(str(exc)) < 400, name


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize(
    ("cls", "field"),
    [(Status, "phone"), (Status, "id"), (StatusBatch, "phone"), (StatusDel, "phone"), (Ping, "id"),
     (JobsAdd, "name"), (OperatorTemplatesAdd, "msg"), (OPS["documents.add_account"], "sum")],
)  # fmt: skip
def test_a_required_field_given_none_is_required(build: Builder, cls: type[Op[Any]], field: str) -> None:
    # Before: None skipped the checks, and validate() raised AttributeError on it.
    error = refused(build, cls, {field: None}, field)
    assert error.reason == "is required"


def test_fmt_none_is_refused() -> None:
    # Before: Send(fmt=None) built, and sent fmt=None.
    with pytest.raises(InvalidParameter) as info:
        Send(phones=[PHONE], mes="Hi", fmt=None)  # type: ignore[arg-type]
    assert (info.value.field, info.value.reason) == ("fmt", "is required")
